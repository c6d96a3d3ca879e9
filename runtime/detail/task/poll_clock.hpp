#pragma once
/// PollClock: the end of the last poll a thread ran, as that poll's clock
/// read it, kept so that the next poll on that thread can start from it
/// instead of reading the clock again. A worker that polls task after task
/// then pays one clock read per poll, not two (they were about a tenth of
/// a short task's poll), with or without task statistics.
///
/// Only valid while the thread did nothing but run tasks since: its owner
/// clears it whenever the thread parks or turns the reactor, so that time
/// is never counted as the next poll's. What it does count in the next
/// poll is the worker's pick of the next task (tens of ns).
///
/// Two clocks, one field each (poll_diagnostics.hpp): the slow-poll
/// warning's coarse clock, which a poll without statistics reads (a poll
/// with statistics leaves 0 there), and the statistics' clock, which only
/// a runtime that keeps statistics reads, where every task carries them, so
/// that the value always comes from the poll just before.
///
/// Threads: one per thread (a worker keeps it thread-local, so that a
/// worker handed to another thread by block_in_place does not share it).

#include <cstdint>

namespace pollen::detail {

struct PollClock {
    /// On the coarse clock; 0: read the clock.
    std::int64_t last_poll_end_ns = 0;
    /// On the statistics' clock (stats_now_ns); 0: read the clock.
    std::int64_t last_stats_poll_end_ns = 0;
    void clear() {
        last_poll_end_ns = 0;
        last_stats_poll_end_ns = 0;
    }
};

}  // namespace pollen::detail
