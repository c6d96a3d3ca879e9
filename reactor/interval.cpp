#include "interval.hpp"

#include <stdexcept>

namespace pollen::time {

Poll<Instant> Interval::poll_tick(Context& cx) {
    if (sleep_->poll(cx).is_pending()) return pending;
    Instant scheduled = sleep_->deadline();
    Instant now = Instant::now();
    Instant next = scheduled + period_;
    // Tokio's rule: a tick more than 5 ms late counts as missed.
    if (now > scheduled + std::chrono::milliseconds(5)) {
        switch (behavior_) {
            case MissedTickBehavior::Burst: break;
            case MissedTickBehavior::Delay: next = now + period_; break;
            case MissedTickBehavior::Skip: {
                auto behind = (now - scheduled).count() % period_.count();
                next = now + (period_ - Duration(behind));
                break;
            }
        }
    }
    sleep_->reset(next);
    return Ready<Instant>{scheduled};
}

Interval interval(Duration period) { return interval_at(Instant::now(), period); }

Interval interval_at(Instant start, Duration period) {
    if (period.count() <= 0) throw std::invalid_argument("pollen::time::interval: period must be positive");
    return Interval(start, period);
}

}  // namespace pollen::time
