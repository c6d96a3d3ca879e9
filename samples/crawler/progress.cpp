// progress: stderr reporting, updating in place on a terminal.
#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace crawler {

Progress::Progress() : tty_(::isatty(STDERR_FILENO) == 1) {}

void Progress::page_done(const std::string& outcome, const std::string& url, std::size_t depth, std::size_t done,
                         std::size_t queued, std::size_t errors, std::size_t timeouts) {
    if (tty_) {
        // Long URLs would wrap and break the in-place update: keep the tail.
        std::string shown = url.size() > 60 ? "..." + url.substr(url.size() - 57) : url;
        std::fprintf(stderr, "\r\033[Kdepth %zu: %zu done, %zu queued, %zu errors, %zu timeouts | %s %s", depth, done,
                     queued, errors, timeouts, outcome.c_str(), shown.c_str());
        drawn_ = true;
    } else {
        std::fprintf(stderr, "crawler: [%zu done, %zu queued] %s %s depth=%zu\n", done, queued, outcome.c_str(),
                     url.c_str(), depth);
    }
    std::fflush(stderr);
}

void Progress::finish() {
    if (tty_ && drawn_) std::fputs("\n", stderr);
    std::fflush(stderr);
}

}  // namespace crawler
