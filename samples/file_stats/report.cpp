// file_stats: Report's bookkeeping and printing (see report.hpp).
#include "report.hpp"

#include <algorithm>

namespace file_stats {

void Report::add(Outcome o) {
    switch (o.kind) {
    case Outcome::Kind::Dir: ++dirs_; return;
    case Outcome::Kind::Skipped: ++skipped_; return;
    case Outcome::Kind::Error: errors_.push_back(std::move(o.error)); return;
    case Outcome::Kind::File: break;
    }
    ++files_;
    totals_ += o.counts;
    if (top_n_ == 0) return;
    auto before = [](const Ranked& a, const Ranked& b) {
        return a.counts.lines != b.counts.lines ? a.counts.lines > b.counts.lines : a.path < b.path;
    };
    Ranked r{std::move(o.path), o.counts};
    if (top_.size() == top_n_ && !before(r, top_.back())) return;
    top_.insert(std::upper_bound(top_.begin(), top_.end(), r, before), std::move(r));
    if (top_.size() > top_n_) top_.pop_back();
}

bool Report::agrees_with(const Report& other) const {
    auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    return totals_ == other.totals_ && files_ == other.files_ && dirs_ == other.dirs_ &&
           skipped_ == other.skipped_ && sorted(errors_) == sorted(other.errors_);
}

std::string Report::totals_line() const {
    char buf[256];
    std::snprintf(buf, sizeof buf, "totals: files=%llu dirs=%llu lines=%llu words=%llu bytes=%llu skipped=%llu errors=%zu",
                  static_cast<unsigned long long>(files_), static_cast<unsigned long long>(dirs_),
                  static_cast<unsigned long long>(totals_.lines), static_cast<unsigned long long>(totals_.words),
                  static_cast<unsigned long long>(totals_.bytes), static_cast<unsigned long long>(skipped_),
                  errors_.size());
    return buf;
}

void Report::print(std::FILE* out) const {
    std::fprintf(out, "%s\n", totals_line().c_str());
    if (top_.empty()) return;
    std::fprintf(out, "largest %zu file(s) by lines:\n", top_.size());
    for (const Ranked& r : top_)
        std::fprintf(out, "  %10llu lines %10llu words %12llu bytes  %s\n",
                     static_cast<unsigned long long>(r.counts.lines), static_cast<unsigned long long>(r.counts.words),
                     static_cast<unsigned long long>(r.counts.bytes), r.path.c_str());
}

void Report::print_errors(std::FILE* out) const {
    std::vector<std::string> sorted = errors_;
    std::sort(sorted.begin(), sorted.end());
    for (const std::string& e : sorted) std::fprintf(out, "file_stats: error: %s\n", e.c_str());
}

}  // namespace file_stats
