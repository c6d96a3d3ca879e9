#pragma once
/// stream::Empty<T> and stream::Pending<T>: futures-rs's `stream::empty` and
/// `stream::pending`. `stream::empty<T>()` has ended before it begins: every
/// poll_next answers nullopt. `stream::pending<T>()` never yields and never
/// ends: every poll_next is Pending and nothing ever wakes it. Both hold
/// nothing, so they may be moved and destroyed at any time.

#include <optional>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class T>
class Empty : public StreamExt<Empty<T>> {
public:
    using Item = T;
    Poll<std::optional<T>> poll_next(Context&) { return detail::ready_none<T>(); }
    SizeHint size_hint() const { return detail::hint_ended(); }
};

template <class T>
class Pending : public StreamExt<Pending<T>> {
public:
    using Item = T;
    Poll<std::optional<T>> poll_next(Context&) { return pollen::pending; }
    /// It never yields an item (futures-rs's bound; tokio-stream says `{0, nullopt}`).
    SizeHint size_hint() const { return detail::hint_ended(); }
};

/// A stream of T with no items.
template <class T>
Empty<T> empty() {
    return {};
}

/// A stream of T that never yields and never ends.
template <class T>
Pending<T> pending() {
    return {};
}

}  // namespace pollen::stream
