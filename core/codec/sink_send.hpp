#pragma once
/// sink::Send / sink::Feed: futures-rs's `SinkExt::send` and `SinkExt::feed`,
/// futures that put one item into a sink.
///
/// Feed waits for `poll_ready`, hands the item to `start_send` and is Ready
/// with Ok (the item may still sit in the sink's buffer). Send does the
/// same, then waits for `poll_flush`: Ready once the item has gone out.
/// Either is Ready with the sink's first error. Woken by whatever wakes the
/// sink. Destroying one before `start_send` drops the item unsent;
/// destroying a Send while it flushes leaves the item in the sink, which a
/// later flush writes out. They borrow the sink (which must outlive them)
/// and may be moved at any time.

#include <optional>
#include <utility>

#include "../future_ext.hpp"
#include "sink.hpp"

namespace pollen::sink {

template <class Si, class Item>
    requires Sink<Si, Item>
class Feed : public FutureExt<Feed<Si, Item>> {
public:
    using Output = Result<void, sink_error_t<Si>>;

    Feed(Si& sink, Item item) : sink_(&sink), item_(std::in_place, std::move(item)) {}

    Poll<Output> poll(Context& cx) {
        if (!item_) return ready(Output(Ok()));
        auto r = sink_->poll_ready(cx);
        if (r.is_pending()) return pending;
        if (r.value().is_err()) return ready(Output(Err(std::move(r.value().error()))));
        Output sent = sink_->start_send(std::move(*item_));
        item_.reset();
        return ready(std::move(sent));
    }

    Si& sink() { return *sink_; }

private:
    Si* sink_;
    std::optional<Item> item_;  // until start_send takes it
};

template <class Si, class Item>
    requires Sink<Si, Item>
class Send : public FutureExt<Send<Si, Item>> {
public:
    using Output = Result<void, sink_error_t<Si>>;

    Send(Si& sink, Item item) : feed_(sink, std::move(item)) {}

    Poll<Output> poll(Context& cx) {
        if (!fed_) {
            auto f = feed_.poll(cx);
            if (f.is_pending()) return pending;
            if (f.value().is_err()) return f;
            fed_ = true;
        }
        return feed_.sink().poll_flush(cx);
    }

private:
    Feed<Si, Item> feed_;
    bool fed_ = false;
};

/// Free-function form of `sink.feed(item)`, for sinks that do not derive SinkExt.
template <class Si, class Item>
    requires Sink<Si, std::decay_t<Item>>
Feed<Si, std::decay_t<Item>> feed(Si& sink, Item&& item) {
    return Feed<Si, std::decay_t<Item>>(sink, std::forward<Item>(item));
}
/// Free-function form of `sink.send(item)`.
template <class Si, class Item>
    requires Sink<Si, std::decay_t<Item>>
Send<Si, std::decay_t<Item>> send(Si& sink, Item&& item) {
    return Send<Si, std::decay_t<Item>>(sink, std::forward<Item>(item));
}

}  // namespace pollen::sink
