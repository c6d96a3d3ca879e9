#pragma once
/// The Sink concept: futures-rs's `trait Sink<Item>`, a place that values
/// are sent into asynchronously (the mirror of Stream).
///
///     struct MySink {
///         using Error = E;
///         Poll<Result<void, E>> poll_ready(Context& cx);   // room for one more item?
///         Result<void, E>       start_send(Item item);     // only after poll_ready was Ready(Ok)
///         Poll<Result<void, E>> poll_flush(Context& cx);   // everything sent has gone out
///         Poll<Result<void, E>> poll_close(Context& cx);   // flushed, then closed
///     };
///
/// The protocol is futures-rs's: call `poll_ready` until it is Ready(Ok),
/// then `start_send` exactly one item; items may sit in the sink until
/// `poll_flush` is Ready; `poll_close` flushes and ends the sink. Pending
/// means `cx.waker()` will be woken (from any thread) when polling again can
/// progress. After an Err the sink may be unusable. A sink may accept
/// several item types (`start_send` overloaded or a template): `Sink<S,
/// Item>` holds for each. Like a stream, a sink is used by one task at a
/// time; the futures of SinkExt (sink_ext.hpp) borrow it.

#include <concepts>
#include <utility>

#include "../context.hpp"
#include "../poll.hpp"
#include "../result.hpp"

namespace pollen {

/// The item-independent half of a sink: readiness, flush and close.
template <class S>
concept SinkBase = requires(S& s, Context& cx) {
    typename S::Error;
    { s.poll_ready(cx) } -> std::same_as<Poll<Result<void, typename S::Error>>>;
    { s.poll_flush(cx) } -> std::same_as<Poll<Result<void, typename S::Error>>>;
    { s.poll_close(cx) } -> std::same_as<Poll<Result<void, typename S::Error>>>;
};

template <class S, class Item>
concept Sink = SinkBase<S> && requires(S& s, Item&& item) {
    { s.start_send(std::forward<Item>(item)) } -> std::same_as<Result<void, typename S::Error>>;
};

template <SinkBase S>
using sink_error_t = typename S::Error;

}  // namespace pollen
