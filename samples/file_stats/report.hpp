#pragma once
// file_stats: Report, the totals and the largest files, built from Outcomes
// and printed at the end.
//
// Only the top N files are kept (a small sorted vector), so a tree of
// millions of files costs no more memory than a tree of ten. Ties are broken
// by path, so the report is the same whatever order the files were counted
// in: the async version finishes them in a different order on every run.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "outcome.hpp"

namespace file_stats {

class Report {
public:
    explicit Report(std::size_t top_n) : top_n_(top_n) {}

    void add(Outcome outcome);

    Counts totals() const { return totals_; }
    std::uint64_t files() const { return files_; }
    std::uint64_t dirs() const { return dirs_; }
    std::uint64_t skipped() const { return skipped_; }
    const std::vector<std::string>& errors() const { return errors_; }

    /// Same totals, counts and errors (not the same order of discovery).
    bool agrees_with(const Report& other) const;

    /// `totals: files=.. dirs=.. lines=.. words=.. bytes=.. skipped=.. errors=..`
    std::string totals_line() const;
    /// The totals line, then the top N files by lines, on `out`.
    void print(std::FILE* out) const;
    /// Every error, sorted, one per line: `file_stats: error: <message>`.
    void print_errors(std::FILE* out) const;

private:
    struct Ranked {
        std::filesystem::path path;
        Counts counts;
    };
    std::size_t top_n_;
    Counts totals_;
    std::uint64_t files_ = 0, dirs_ = 0, skipped_ = 0;
    std::vector<std::string> errors_;
    std::vector<Ranked> top_;  // sorted, most lines first, at most top_n_
};

}  // namespace file_stats
