#pragma once
/// stream::PollFn<Fn>: futures-rs's `stream::poll_fn`. A stream whose
/// poll_next is `fn(cx)`, where `fn` returns a `Poll<std::optional<T>>`:
/// the quickest way to write a small stream inline. `fn` must arrange its
/// own wake-ups before answering Pending. It keeps its captures across
/// polls and is destroyed with the stream; it may be moved whenever the
/// captures allow it.

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::detail {
template <class P>
struct poll_next_item;
template <class T>
struct poll_next_item<Poll<std::optional<T>>> {
    using type = T;
};
}  // namespace pollen::detail

namespace pollen::stream {

template <class Fn>
class PollFn : public StreamExt<PollFn<Fn>> {
public:
    using Item = typename pollen::detail::poll_next_item<std::invoke_result_t<Fn&, Context&>>::type;

    explicit PollFn(Fn fn) : fn_(std::move(fn)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) { return std::invoke(fn_, cx); }

private:
    Fn fn_;
};

/// A stream whose poll_next calls `fn(cx)`.
template <class Fn>
PollFn<Fn> poll_fn(Fn fn) {
    return PollFn<Fn>(std::move(fn));
}

}  // namespace pollen::stream
