#pragma once
/// PollDiagnostics: everything a task's poll records besides the state word,
/// behind one hook that the harness (task.cpp) calls around each poll: the
/// task's statistics when it carries them (Builder::task_stats or a task
/// name; task_stats.hpp), the slow-poll warning
/// (Builder::warn_on_slow_poll) and lost-waker detection
/// (Builder::detect_lost_wakers), and the poll's slice in the timeline
/// (Builder::trace, which rides on the statistics). The reports are out of line and cold
/// (poll_diagnostics.cpp). The hot path without statistics is one or two coarse
/// clock reads with slow-poll warnings on (the default; one for a worker's
/// back-to-back polls, poll_clock.hpp), and the clone count
/// only with detection on; a task's statistics are behind one branch on its
/// block pointer, which the header word already held.
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
    PollDiagnostics(Header* t, PollClock* clock)
        : task_(t), stats_(t->diagnostics.stats()), clock_(clock), detect_lost_(t->scheduler->detect_lost_wakers) {}

    /// The vtable of the Waker the poll borrows: the one that keeps the
    /// task's statistics, the counting one when lost wakers are detected,
    /// else the plain one (which stays free of both).
    const RawWakerVTable* waker_vtable() const {
        if (stats_) return &stats_task_waker_vtable;
        return detect_lost_ ? &counting_task_waker_vtable : &task_waker_vtable;
    }

    void before_poll() {
        if (stats_) {
            stats_before_poll();
        } else if (task_->scheduler->slow_poll_ns > 0) {
            started_ = clock_ && clock_->last_poll_end_ns ? clock_->last_poll_end_ns : coarse_now_ns();
        }
    }

    /// After the poll, before the state changes: a task left Pending is
    /// still ours to inspect.
    void after_poll(bool done) {
        std::int64_t ended = 0;  // on the coarse clock; 0: not read
        if (stats_) {
            stats_after_poll(done);
        } else if (std::int64_t threshold = task_->scheduler->slow_poll_ns; threshold > 0) {
            ended = coarse_now_ns();
            if (ended - started_ > threshold) report_slow_poll(task_, ended - started_);
        }
        if (clock_) clock_->last_poll_end_ns = ended;
        // A clone's count is given back only after its wake set NOTIFIED,
        // so "no clone alive" read before "not NOTIFIED" never misses a
        // wake that came from the last clone.
        if (!done && detect_lost_ && no_live_waker()) {
            Snapshot s = task_->state.load(std::memory_order_seq_cst);
            if (!s.is_notified() && !s.is_cancelled()) report_lost_waker(task_);
        }
    }

private:
    /// The statistics waker counts clones and drops (task_stats.hpp), the
    /// counting one live clones. Drops are read first: each one counted
    /// follows its clone, so a clone or drop meanwhile can only make the
    /// difference look larger, never zero when it is not.
    bool no_live_waker() const {
        if (!stats_) return task_->waker_clones.load(std::memory_order_seq_cst) == 0;
        std::uint64_t drops = stats_->waker_drops.load(std::memory_order_seq_cst);
        return stats_->waker_clones.load(std::memory_order_seq_cst) == drops;
    }

    // The statistics' halves, out of line: the poll path of a task without
    // statistics stays as small as it was (one branch on stats_).
    [[gnu::noinline]] void stats_before_poll();
    [[gnu::noinline]] void stats_after_poll(bool done);
    [[gnu::cold, gnu::noinline]] static void report_slow_poll(const Header* t, std::int64_t took_ns);
    [[gnu::cold, gnu::noinline]] static void report_lost_waker(Header* t);

    Header* task_;
    TaskStats* stats_;
    PollClock* clock_;
    bool detect_lost_;
    std::int64_t started_ = 0;
    std::int64_t scheduled_ = 0;
    TraceRecorder* trace_ = nullptr;
    std::uint64_t flow_in_ = 0;
};

}  // namespace pollen::detail
