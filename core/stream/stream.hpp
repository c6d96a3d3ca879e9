#pragma once
/// The Stream concept: futures-rs's `trait Stream`, an asynchronous sequence.
///
///     struct MyStream {
///         using Item = T;
///         pollen::Poll<std::optional<T>> poll_next(pollen::Context& cx);
///     };
///
/// `poll_next` returns Ready(some item), Ready(nullopt) once the stream has
/// ended, or Pending after arranging for `cx.waker()` to be woken, exactly as
/// a future's `poll` does. After Ready(nullopt) a stream need not be polled
/// again (only `fuse()`d ones promise to answer nullopt forever). Like a
/// future it is not moved after its first poll unless it says otherwise
/// (BoxStream, FuturesUnordered), and destroying it cancels whatever it was
/// doing. Any type with these two members is a Stream (channel receivers
/// are, without deriving anything); deriving `StreamExt<Self>` adds the
/// fluent adapters. A stream may also tell how many items it has left,
/// with a `size_hint() const` member (see size_hint.hpp; optional).

#include <concepts>
#include <optional>
#include <type_traits>
#include <utility>

#include "../future.hpp"
#include "size_hint.hpp"

namespace pollen {

template <class S>
concept Stream = requires(S& s, Context& cx) {
    typename S::Item;
    { s.poll_next(cx) } -> std::same_as<Poll<std::optional<typename S::Item>>>;
};

template <Stream S>
using item_t = typename S::Item;

namespace detail {

/// Ready(some(v)), spelled so that an Item that is itself an optional stays nested.
template <class T>
Poll<std::optional<T>> ready_some(std::type_identity_t<T> value) {
    return Ready<std::optional<T>>{std::optional<T>(std::in_place, std::move(value))};
}

/// Ready(nullopt): the end of a stream of T.
template <class T>
Poll<std::optional<T>> ready_none() {
    return Ready<std::optional<T>>{std::optional<T>()};
}

}  // namespace detail
}  // namespace pollen
