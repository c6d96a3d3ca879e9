#pragma once
/// PollDiagnostics: everything the poll of a task without statistics
/// records besides the state word, behind one hook that the harness
/// (task.cpp) calls around each poll: the slow-poll warning
/// (Builder::warn_on_slow_poll) and lost-waker detection
/// (Builder::detect_lost_wakers). A task with statistics takes another
/// path, StatsPoll (stats_poll.hpp), which does both on its own clock. The
/// reports are out of line and cold (poll_diagnostics.cpp). The hot path is
/// one or two coarse clock reads with slow-poll warnings on (the default;
/// one for a worker's back-to-back polls, poll_clock.hpp), and the clone
/// count only with detection on.
///
/// Threads: one object per poll, on the polling thread.

#include <time.h>

#include <atomic>
#include <cstdint>

#include "../scheduler.hpp"
#include "poll_clock.hpp"
#include "task.hpp"

namespace pollen::detail {

/// The clock of the slow-poll warning. The coarse clock costs a few ns (no
/// syscall, no TSC read); its ~4 ms resolution is plenty for a 10 ms threshold.
inline std::int64_t coarse_now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

class PollDiagnostics {
public:
    /// `t` carries no statistics.
    PollDiagnostics(Header* t, PollClock* clock)
        : task_(t), clock_(clock), detect_lost_(t->scheduler->detect_lost_wakers) {}

    /// The vtable of the Waker the poll borrows: the counting one when lost
    /// wakers are detected, else the plain one (which stays free of it).
    const RawWakerVTable* waker_vtable() const {
        return detect_lost_ ? &counting_task_waker_vtable : &task_waker_vtable;
    }

    void before_poll() {
        if (task_->scheduler->slow_poll_ns > 0) {
            started_ = clock_ && clock_->last_poll_end_ns ? clock_->last_poll_end_ns : coarse_now_ns();
        }
    }

    /// After the poll, before the state changes: a task left Pending is
    /// still ours to inspect.
    void after_poll(bool done) {
        std::int64_t ended = 0;  // on the coarse clock; 0: not read
        if (std::int64_t threshold = task_->scheduler->slow_poll_ns; threshold > 0) {
            ended = coarse_now_ns();
            if (ended - started_ > threshold) report_slow_poll(task_, ended - started_);
        }
        if (clock_) clock_->last_poll_end_ns = ended;
        // A clone's count is given back only after its wake set NOTIFIED,
        // so "no clone alive" read before "not NOTIFIED" never misses a
        // wake that came from the last clone.
        if (!done && detect_lost_ && task_->waker_clones.load(std::memory_order_seq_cst) == 0)
            check_lost_waker(task_);
    }

    /// The warnings, shared with StatsPoll.
    [[gnu::cold, gnu::noinline]] static void report_slow_poll(const Header* t, std::int64_t took_ns);
    /// Reports a lost waker unless the task is NOTIFIED or cancelled; the
    /// caller found no clone of its waker alive.
    static void check_lost_waker(Header* t) {
        Snapshot s = t->state.load(std::memory_order_seq_cst);
        if (!s.is_notified() && !s.is_cancelled()) report_lost_waker(t);
    }

private:
    [[gnu::cold, gnu::noinline]] static void report_lost_waker(Header* t);

    Header* task_;
    PollClock* clock_;
    bool detect_lost_;
    std::int64_t started_ = 0;
};

}  // namespace pollen::detail
