#pragma once
/// Clock: the time source of one runtime's timers. Running, it reads
/// std::chrono::steady_clock plus an offset; paused (Tokio's `time::pause`,
/// for tests) it stands still and moves only by `advance(d)`, or by
/// auto-advance: when the runtime has nothing to do but wait for a timer, the
/// reactor jumps the clock to that timer's deadline, so timer tests run
/// instantly and deterministically. Resuming continues from the paused
/// instant (the offset keeps every advance), so the clock never goes back.
///
/// A simulation's clock (Builder::new_simulation) is virtual: frozen for
/// good at a fixed start instant, the same in every run, and moved only by
/// the simulation's idle jumps and `advance`; `resume` is refused there.
///
/// Misuse throws std::logic_error with Tokio's panic messages: pausing twice,
/// resuming or advancing a running clock, pausing a clock whose runtime does
/// not allow it (the multi-thread flavour, where "every task is idle" cannot
/// be known). Thread-safe; `now()` takes no lock while the clock runs.
///
/// Also here: saturating time-point arithmetic, so no deadline computation
/// overflows (a signed overflow is undefined behaviour).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <type_traits>

namespace pollen::time {

using Duration = std::chrono::nanoseconds;

}  // namespace pollen::time

namespace pollen::detail {

static_assert(std::is_same_v<std::chrono::steady_clock::duration, time::Duration>);

/// `t + d`, clamped to the time points a steady_clock can hold.
inline std::chrono::steady_clock::time_point saturating_add(std::chrono::steady_clock::time_point t,
                                                            time::Duration d) {
    using TimePoint = std::chrono::steady_clock::time_point;
    std::int64_t r;
    if (__builtin_add_overflow(t.time_since_epoch().count(), d.count(), &r))
        return d.count() > 0 ? TimePoint::max() : TimePoint::min();
    return TimePoint(time::Duration(r));
}
/// `a - b`, clamped to the durations that nanoseconds can hold.
inline time::Duration saturating_sub(std::chrono::steady_clock::time_point a,
                                     std::chrono::steady_clock::time_point b) {
    std::int64_t r;
    if (__builtin_sub_overflow(a.time_since_epoch().count(), b.time_since_epoch().count(), &r))
        return a > b ? time::Duration::max() : time::Duration::min();
    return time::Duration(r);
}

/// `t - d`, clamped likewise.
inline std::chrono::steady_clock::time_point saturating_sub(std::chrono::steady_clock::time_point t,
                                                            time::Duration d) {
    using TimePoint = std::chrono::steady_clock::time_point;
    std::int64_t r;
    if (__builtin_sub_overflow(t.time_since_epoch().count(), d.count(), &r))
        return d.count() < 0 ? TimePoint::max() : TimePoint::min();
    return TimePoint(time::Duration(r));
}

class Clock {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    TimePoint now() const {
        if (!paused_.load(std::memory_order_acquire))
            return saturating_add(std::chrono::steady_clock::now(),
                                  time::Duration(offset_ns_.load(std::memory_order_relaxed)));
        std::lock_guard lock(mu_);
        return paused_at_;
    }
    bool is_paused() const { return paused_.load(std::memory_order_acquire); }

    /// The runtime's flavour decides (Tokio: current-thread only). Allowed
    /// by default; the builder turns it off for the multi-thread flavour.
    void set_pausing_allowed(bool allowed) {
        std::lock_guard lock(mu_);
        pausing_allowed_ = allowed;
    }

    void pause() {
        std::lock_guard lock(mu_);
        if (!pausing_allowed_)
            throw std::logic_error(
                "pollen::time::pause() requires the current-thread runtime "
                "(Builder::new_current_thread()); a multi-thread runtime's clock cannot be paused");
        if (paused_.load(std::memory_order_relaxed))
            throw std::logic_error("pollen::time::pause(): time is already frozen");
        paused_at_ = saturating_add(std::chrono::steady_clock::now(),
                                    time::Duration(offset_ns_.load(std::memory_order_relaxed)));
        paused_.store(true, std::memory_order_release);
    }
    /// Makes the clock virtual (a simulation's): paused at `start` for good.
    void freeze_for_simulation(TimePoint start) {
        std::lock_guard lock(mu_);
        paused_at_ = start;
        virtual_ = true;
        paused_.store(true, std::memory_order_release);
    }
    bool is_virtual() const {
        std::lock_guard lock(mu_);
        return virtual_;
    }

    /// Real time flows again, from the paused instant on.
    void resume() {
        std::lock_guard lock(mu_);
        if (virtual_)
            throw std::logic_error(
                "pollen::time::resume() is refused inside a simulation: its clock is virtual, "
                "and real time would make the run depend on the machine");
        if (!paused_.load(std::memory_order_relaxed))
            throw std::logic_error("pollen::time::resume(): time is not frozen");
        // The offset is published before the flag: a reader that sees
        // "running" also sees the offset that continues from paused_at_.
        offset_ns_.store(saturating_sub(paused_at_, std::chrono::steady_clock::now()).count(),
                         std::memory_order_relaxed);
        paused_.store(false, std::memory_order_release);
    }
    /// Moves a paused clock forward (Tokio's `advance`).
    void advance(time::Duration d) {
        if (d.count() < 0)
            throw std::invalid_argument("pollen::time::advance(): the duration must not be negative");
        std::lock_guard lock(mu_);
        if (!paused_.load(std::memory_order_relaxed))
            throw std::logic_error("pollen::time::advance(): time is not frozen");
        paused_at_ = saturating_add(paused_at_, d);
    }
    /// The reactor's idle jump: like `advance`, but a clock resumed meanwhile
    /// is left alone (never throws).
    void auto_advance(time::Duration d) {
        std::lock_guard lock(mu_);
        if (paused_.load(std::memory_order_relaxed) && d.count() > 0) paused_at_ = saturating_add(paused_at_, d);
    }

private:
    mutable std::mutex mu_;
    std::atomic<bool> paused_{false};
    std::atomic<std::int64_t> offset_ns_{0};  // running: now = steady_clock + offset
    TimePoint paused_at_{};
    bool pausing_allowed_ = true;
    bool virtual_ = false;  // a simulation's: never resumed
};

}  // namespace pollen::detail
