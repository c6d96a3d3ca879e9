#pragma once
// progress: the crawler's running report on stderr. On a terminal it is one
// line rewritten in place (`\r`, then erase to the end of the line); when
// stderr is a file or a pipe (a log, a test) it is one plain line per page,
// since carriage returns would only garble it.
#include <cstddef>
#include <string>

namespace crawler {

class Progress {
public:
    Progress();  ///< decides once whether stderr is a terminal

    /// After each page: what came back, and the totals so far.
    void page_done(const std::string& outcome, const std::string& url, std::size_t depth, std::size_t done,
                   std::size_t queued, std::size_t errors, std::size_t timeouts);
    /// Ends the updating line (so the summary starts on a fresh one).
    void finish();

private:
    bool tty_;
    bool drawn_ = false;
};

}  // namespace crawler
