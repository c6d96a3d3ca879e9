// file_stats: drawing the progress line (see progress.hpp).
#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace file_stats {

using Clock = std::chrono::steady_clock;

ProgressPrinter::ProgressPrinter(const char* label)
    : label_(label), tty_(::isatty(STDERR_FILENO) == 1), start_(Clock::now()), last_(start_) {}

std::chrono::milliseconds ProgressPrinter::period() const {
    return tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000);
}

void ProgressPrinter::print(const Progress& p) { draw(p, false); }

void ProgressPrinter::maybe_print(const Progress& p) {
    if (Clock::now() - last_ >= period()) draw(p, false);
}

void ProgressPrinter::finish(const Progress& p) { draw(p, true); }

void ProgressPrinter::draw(const Progress& p, bool last) {
    last_ = Clock::now();
    double secs = std::chrono::duration<double>(last_ - start_).count();
    char line[200];
    std::snprintf(line, sizeof line, "%s: %llu files, %llu dirs, %.1f MB read, %llu errors, %.1f s%s", label_,
                  static_cast<unsigned long long>(p.files.load()), static_cast<unsigned long long>(p.dirs.load()),
                  static_cast<double>(p.bytes.load()) / 1e6, static_cast<unsigned long long>(p.errors.load()), secs,
                  last ? " (done)" : "");
    if (tty_) std::fprintf(stderr, "\r%s\033[K%s", line, last ? "\n" : "");
    else std::fprintf(stderr, "%s\n", line);
    std::fflush(stderr);
}

}  // namespace file_stats
