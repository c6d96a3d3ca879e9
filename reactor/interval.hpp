#pragma once
/// time::Interval: ticks every `period` (Tokio's `Interval`). `tick()` is a
/// future of the Instant the tick was scheduled for; the first tick completes
/// at once. When ticks are missed (the task was busy longer than a period),
/// MissedTickBehavior decides: Burst (default) fires the missed ticks back to
/// back, Delay restarts the schedule from now, Skip drops the missed ones and
/// stays on the original grid. The timer lives in a box, so an Interval can
/// be moved between ticks; destroying a pending `tick()` loses no tick.
///
/// The resets move the next tick (Tokio's): `reset()` to one period from now,
/// `reset_immediately()` to now, `reset_after(d)` to now + d, `reset_at(t)`
/// to t. Missed ticks are forgotten; the grid continues from the new tick. A
/// tick moved into the past fires at once and counts as late, so the
/// MissedTickBehavior catches up from it. A pending `tick()` is woken at the
/// new instant.
///
/// A period too long for the clock (`Duration::max()`) puts the next tick in
/// the far future (about 30 years), as Tokio does. One thread at a time.

#include <memory>

#include "../core/future_ext.hpp"
#include "sleep.hpp"

namespace pollen::time {

enum class MissedTickBehavior { Burst, Delay, Skip };

class Interval {
public:
    Interval(Instant start, Duration period)
        : period_(period), sleep_(std::make_unique<Sleep>(start)) {}

    class Tick : public FutureExt<Tick> {
    public:
        using Output = Instant;
        explicit Tick(Interval& i) : interval_(&i) {}
        Poll<Instant> poll(Context& cx) { return interval_->poll_tick(cx); }
        /// For task dumps (core/trace.hpp): the next tick's deadline.
        void describe(TraceVisitor& v) const {
            v.waits_on("interval tick " + interval_->sleep_->deadline_from_now());
        }

    private:
        Interval* interval_;
    };
    /// The next tick.
    Tick tick() { return Tick(*this); }
    Poll<Instant> poll_tick(Context& cx);

    /// The next tick is one period from now.
    void reset() { reset_after(period_); }
    /// The next tick is now.
    void reset_immediately() { reset_at(Instant::now()); }
    /// The next tick is `after` from now.
    void reset_after(Duration after) { reset_at(detail::deadline_after(after)); }
    /// The next tick is at `deadline`.
    void reset_at(Instant deadline) { sleep_->reset(deadline); }
    Duration period() const { return period_; }
    MissedTickBehavior missed_tick_behavior() const { return behavior_; }
    void set_missed_tick_behavior(MissedTickBehavior b) { behavior_ = b; }

private:
    Duration period_;
    MissedTickBehavior behavior_ = MissedTickBehavior::Burst;
    std::unique_ptr<Sleep> sleep_;
};

/// Ticks at once, then every `period`. `period` must be positive.
Interval interval(Duration period);
/// First tick at `start`, then every `period`.
Interval interval_at(Instant start, Duration period);

}  // namespace pollen::time
