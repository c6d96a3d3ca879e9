#pragma once
/// Clock: the time source of one runtime's timers. Normally it reads
/// std::chrono::steady_clock; paused (Tokio's `time::pause`, for tests) it
/// stands still and moves only by `advance(d)`, or by auto-advance: when the
/// runtime has nothing to do but wait for a timer, the reactor jumps the clock
/// to that timer's deadline, so timer tests run instantly and deterministically.

#include <atomic>
#include <chrono>
#include <mutex>

namespace pollen::time {

using Duration = std::chrono::nanoseconds;

}  // namespace pollen::time

namespace pollen::detail {

class Clock {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    TimePoint now() const {
        if (!paused_.load(std::memory_order_acquire)) return std::chrono::steady_clock::now();
        std::lock_guard lock(mu_);
        return paused_at_;
    }
    bool is_paused() const { return paused_.load(std::memory_order_acquire); }

    void pause() {
        std::lock_guard lock(mu_);
        if (paused_.load(std::memory_order_relaxed)) return;
        paused_at_ = std::chrono::steady_clock::now();
        paused_.store(true, std::memory_order_release);
    }
    /// Resumes real time; the paused offset is dropped (time jumps to now).
    void resume() {
        std::lock_guard lock(mu_);
        paused_.store(false, std::memory_order_release);
    }
    /// Moves a paused clock forward (no effect when running).
    void advance(std::chrono::nanoseconds d) {
        std::lock_guard lock(mu_);
        if (paused_.load(std::memory_order_relaxed)) paused_at_ += d;
    }
    /// Moves a paused clock forward to `t` if `t` is later.
    void advance_to(TimePoint t) {
        std::lock_guard lock(mu_);
        if (paused_.load(std::memory_order_relaxed) && t > paused_at_) paused_at_ = t;
    }

private:
    mutable std::mutex mu_;
    std::atomic<bool> paused_{false};
    TimePoint paused_at_{};
};

}  // namespace pollen::detail
