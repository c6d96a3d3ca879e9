#pragma once
// file_stats: Progress, the counters the workers bump and the progress line
// shows, and ProgressPrinter, which draws that line on stderr.
//
// The counters are atomics because in the async version they are bumped by
// tasks on every worker thread while a ticker task on another reads them.
// On a terminal the line is redrawn in place ("\r", then erase to the end of
// the line) ten times a second; when stderr is a file or a pipe, a plain line
// once a second, so a log does not fill with redraws.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "outcome.hpp"

namespace file_stats {

struct Progress {
    std::atomic<std::uint64_t> files{0}, dirs{0}, bytes{0}, errors{0};

    /// Bumps the counter an Outcome stands for (bytes are bumped as they are read).
    void record(const Outcome& o) {
        switch (o.kind) {
        case Outcome::Kind::Dir: ++dirs; break;
        case Outcome::Kind::File: ++files; break;
        case Outcome::Kind::Error: ++errors; break;
        case Outcome::Kind::Skipped: break;
        }
    }
};

class ProgressPrinter {
public:
    explicit ProgressPrinter(const char* label);

    std::chrono::milliseconds period() const;
    /// Draws the line now.
    void print(const Progress& p);
    /// Draws the line if a period has passed since the last one (for loops).
    void maybe_print(const Progress& p);
    /// The last line, ended with a newline.
    void finish(const Progress& p);

private:
    void draw(const Progress& p, bool last);

    const char* label_;
    bool tty_;
    std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace file_stats
