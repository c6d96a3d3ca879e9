#pragma once
/// future::Ready<T>: futures-rs's `future::ready`, a future that already holds
/// its output. `pollen::future::ready(v)` / `pollen::future::ready()`; its
/// first poll is Ready with the value (polling again is a bug, asserted).
/// (`pollen::ready(v)` is the Poll constructor, hence the `future` namespace.)
/// Like Rust's `Ready`, it may be moved at any time, polled or not (it is
/// Unpin: nothing inside it refers to its address). Destroying it destroys
/// the value if it was never taken.

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>

#include "future_ext.hpp"

namespace pollen::future {

template <class T>
class Ready : public FutureExt<Ready<T>> {
public:
    using Output = T;

    explicit Ready(T value) : value_(std::in_place, std::move(value)) {}

    Poll<T> poll(Context&) {
        assert(value_ && "pollen: future::Ready polled after it completed");
        Poll<T> p = pollen::Ready<T>{std::move(*value_)};
        value_.reset();
        return p;
    }

private:
    std::optional<T> value_;
};

template <>
class Ready<void> : public FutureExt<Ready<void>> {
public:
    using Output = void;

    Poll<void> poll(Context&) { return pollen::ready(); }
};

/// A future ready at its first poll with `value`.
template <class T>
Ready<std::decay_t<T>> ready(T&& value) {
    return Ready<std::decay_t<T>>(std::forward<T>(value));
}

/// A future ready at its first poll with no value.
inline Ready<void> ready() { return {}; }

}  // namespace pollen::future
