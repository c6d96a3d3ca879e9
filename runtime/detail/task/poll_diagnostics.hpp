#pragma once
/// PollDiagnostics: everything a task's poll records besides the state word,
/// behind one hook that the harness (task.cpp) calls around each poll: the
/// task's statistics when the runtime keeps them (Builder::task_stats;
/// shown by Runtime::dump), the slow-poll warning
/// (Builder::warn_on_slow_poll) and lost-waker detection
/// (Builder::detect_lost_wakers). The reports are out of line and cold
/// (poll_diagnostics.cpp); the hot path is two coarse clock reads with
/// slow-poll warnings on (the default), the statistics' counters only when
/// kept, and the clone count only with detection on.
///
/// Threads: one object per poll, on the polling thread.

#include <time.h>

#include <atomic>
#include <cstdint>

#include "../scheduler.hpp"
#include "task.hpp"

namespace pollen::detail {

/// The clock of TaskStats::last_poll_ms. The coarse clock costs a few ns (no
/// syscall, no TSC read); its ~4 ms resolution is plenty for a 10 ms
/// slow-poll threshold and for dumps.
inline std::int64_t coarse_now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

class PollDiagnostics {
public:
    explicit PollDiagnostics(Header* t)
        : task_(t), stats_(t->diagnostics.stats()), detect_lost_(t->scheduler->detect_lost_wakers) {}

    /// The vtable of the Waker the poll borrows: the counting one when
    /// lost wakers are detected (so the plain one stays free of it).
    const RawWakerVTable* waker_vtable() const {
        return detect_lost_ ? &counting_task_waker_vtable : &task_waker_vtable;
    }

    void before_poll() {
        if (task_->scheduler->slow_poll_ns > 0 || stats_) started_ = coarse_now_ns();
        if (stats_) {
            stats_->polls.fetch_add(1, std::memory_order_relaxed);
            stats_->last_poll_ms.store(std::uint32_t(started_ / 1'000'000), std::memory_order_relaxed);
        }
    }

    /// After the poll, before the state changes: a task left Pending is
    /// still ours to inspect.
    void after_poll(bool done) {
        std::int64_t threshold = task_->scheduler->slow_poll_ns;
        if (threshold > 0) {
            std::int64_t took = coarse_now_ns() - started_;
            if (took > threshold) report_slow_poll(task_, took);
        }
        // A clone's count is given back only after its wake set NOTIFIED,
        // so "no clone alive" read before "not NOTIFIED" never misses a
        // wake that came from the last clone.
        if (!done && detect_lost_ && task_->waker_clones.load(std::memory_order_seq_cst) == 0) {
            Snapshot s = task_->state.load(std::memory_order_seq_cst);
            if (!s.is_notified() && !s.is_cancelled()) report_lost_waker(task_);
        }
    }

private:
    [[gnu::cold, gnu::noinline]] static void report_slow_poll(const Header* t, std::int64_t took_ns);
    [[gnu::cold, gnu::noinline]] static void report_lost_waker(Header* t);

    Header* task_;
    TaskStats* stats_;
    bool detect_lost_;
    std::int64_t started_ = 0;
};

}  // namespace pollen::detail
