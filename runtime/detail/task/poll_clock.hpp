#pragma once
/// PollClock: the end of the last poll a thread ran, as the slow-poll
/// warning's clock read it (poll_diagnostics.hpp), kept so that the next
/// poll on that thread can start from it instead of reading the clock
/// again. A worker that polls task after task then pays one clock read per
/// poll, not two (they were about a tenth of a short task's poll).
///
/// Only valid while the thread did nothing but run tasks since: its owner
/// clears it whenever the thread parks or turns the reactor, so that time
/// is never counted as the next poll's. 0 means "read the clock".
///
/// Threads: one per thread (a worker keeps it thread-local, so that a
/// worker handed to another thread by block_in_place does not share it).

#include <cstdint>

namespace pollen::detail {

struct PollClock {
    std::int64_t last_poll_end_ns = 0;
    void clear() { last_poll_end_ns = 0; }
};

}  // namespace pollen::detail
