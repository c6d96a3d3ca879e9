#pragma once
/// Time-based stream adapters (tokio-stream's `throttle`, `timeout` and
/// `IntervalStream`), next to the timers they need.
///
/// - `time::throttle(s, period)`: yields the items of `s`, at most one per
///   `period` (the first at once); between items it sleeps, not polling `s`.
/// - `time::timeout(s, d)`: each item must arrive within `d` of the previous
///   one (the first within `d` of creating the adapter), else the stream
///   yields one `Err(Elapsed)` and keeps waiting for the item, with no further
///   Elapsed until it comes; items come as `Ok(item)` (tokio-stream's
///   semantics: the deadline is set when an item is yielded, so a consumer
///   that comes back late gets the Elapsed at once). After the inner stream
///   ends it stays ended (fused).
/// - `IntervalStream`: an Interval as a stream of tick Instants (never ends).
/// A duration too long for the clock (`Duration::max()`) means the far
/// future (about 30 years), as in Tokio. Destroying an adapter destroys the
/// inner stream and its timer. One thread at a time.

#include <memory>
#include <optional>

#include "../core/result.hpp"
#include "../core/stream/stream.hpp"
#include "../core/stream/stream_ext.hpp"
#include "interval.hpp"
#include "sleep.hpp"
#include "timeout.hpp"

namespace pollen::time {

template <Stream S>
class Throttle : public StreamExt<Throttle<S>> {
public:
    using Item = item_t<S>;
    Throttle(S s, Duration period) : inner_(std::move(s)), period_(period) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        if (delay_) {
            if (delay_->poll(cx).is_pending()) return pending;
            delay_.reset();
        }
        auto p = inner_.poll_next(cx);
        if (p.is_pending()) return pending;
        auto item = p.take();
        if (item) delay_ = std::make_unique<Sleep>(detail::deadline_after(period_));
        return Ready<std::optional<Item>>{std::move(item)};
    }

private:
    S inner_;
    Duration period_;
    std::unique_ptr<Sleep> delay_;  // boxed: the stream stays movable between items
};

template <Stream S>
class StreamTimeout : public StreamExt<StreamTimeout<S>> {
public:
    using Item = Result<item_t<S>, Elapsed>;
    StreamTimeout(S s, Duration d)
        : inner_(std::move(s)), limit_(d), deadline_(std::make_unique<Sleep>(detail::deadline_after(d))) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        if (done_) return Ready<std::optional<Item>>{std::nullopt};
        auto p = inner_.poll_next(cx);
        if (p.is_ready()) {
            auto item = p.take();
            if (!item) {
                done_ = true;
                return Ready<std::optional<Item>>{std::nullopt};
            }
            deadline_->reset(detail::deadline_after(limit_));  // the next item's limit starts now
            armed_ = true;
            return Ready<std::optional<Item>>{std::optional<Item>(Item(Ok(std::move(*item))))};
        }
        if (!armed_ || deadline_->poll(cx).is_pending()) return pending;
        armed_ = false;  // one Elapsed per gap between items
        return Ready<std::optional<Item>>{std::optional<Item>(Item(Err(Elapsed{})))};
    }

private:
    S inner_;
    Duration limit_;
    std::unique_ptr<Sleep> deadline_;  // boxed: the stream stays movable between polls
    bool armed_ = true;                // the deadline may still report an Elapsed
    bool done_ = false;
};

class IntervalStream : public StreamExt<IntervalStream> {
public:
    using Item = Instant;
    explicit IntervalStream(Interval interval) : interval_(std::move(interval)) {}
    Poll<std::optional<Instant>> poll_next(Context& cx) {
        auto p = interval_.poll_tick(cx);
        if (p.is_pending()) return pending;
        return Ready<std::optional<Instant>>{std::optional<Instant>(p.take())};
    }
    Interval& get_mut() { return interval_; }

private:
    Interval interval_;
};

template <Stream S>
Throttle<S> throttle(S s, Duration period) {
    return Throttle<S>(std::move(s), period);
}
template <Stream S>
StreamTimeout<S> timeout(S s, Duration d) {
    return StreamTimeout<S>(std::move(s), d);
}
inline IntervalStream interval_stream(Duration period) { return IntervalStream(interval(period)); }

}  // namespace pollen::time
