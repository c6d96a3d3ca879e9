#include "interval.hpp"

#include <stdexcept>

namespace pollen::time {

namespace {
// `from + d`, or the far future where that does not fit (Tokio's reset_forever).
Instant after_or_far_future(Instant from, Duration d, Instant now) {
    if (auto t = from.checked_add(d)) return *t;
    return detail::far_future(now);
}
}  // namespace

Poll<Instant> Interval::poll_tick(Context& cx) {
    if (sleep_->poll(cx).is_pending()) return pending;
    Instant scheduled = sleep_->deadline();
    Instant now = Instant::now();
    Instant next = after_or_far_future(scheduled, period_, now);
    // Tokio's rule: a tick more than 5 ms late counts as missed.
    if (now > scheduled + std::chrono::milliseconds(5)) {
        switch (behavior_) {
            case MissedTickBehavior::Burst: break;
            case MissedTickBehavior::Delay: next = after_or_far_future(now, period_, now); break;
            case MissedTickBehavior::Skip: {
                // The next multiple of the period after now, counted from the
                // late tick: now + (period - (now - scheduled) % period).
                Duration behind((now - scheduled).count() % period_.count());
                next = after_or_far_future(now, period_ - behind, now);
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
