#pragma once
/// time::Interval: ticks every `period` (Tokio's `Interval`). `tick()` is a
/// future of the Instant the tick was scheduled for; the first tick completes
/// at once. When ticks are missed (the task was busy longer than a period),
/// MissedTickBehavior decides: Burst (default) fires the missed ticks back to
/// back, Delay restarts the schedule from now, Skip drops the missed ones and
/// stays on the original grid. The timer lives in a box, so an Interval can
/// be moved between ticks; destroying a pending `tick()` loses no tick.

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

    private:
        Interval* interval_;
    };
    /// The next tick.
    Tick tick() { return Tick(*this); }
    Poll<Instant> poll_tick(Context& cx);

    /// Restarts the schedule: the next tick is one period from now.
    void reset() { sleep_->reset(Instant::now() + period_); }
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
