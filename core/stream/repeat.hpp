#pragma once
/// stream::Repeat<T> and stream::RepeatWith<Fn>: futures-rs's
/// `stream::repeat` and `stream::repeat_with`, endless streams that are
/// always ready. `repeat(v)` yields copies of `v`; `repeat_with(fn)` yields
/// `fn()` each time. Bound them with `take` or `take_while`. They never
/// wake anyone and may be moved at any time; destroying one destroys the
/// value or closure.

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class T>
class Repeat : public StreamExt<Repeat<T>> {
public:
    using Item = T;
    explicit Repeat(T value) : value_(std::move(value)) {}
    Poll<std::optional<T>> poll_next(Context&) { return detail::ready_some<T>(T(value_)); }
    /// Endless: as many as can be counted, and no upper bound.
    SizeHint size_hint() const { return {detail::kHintMax, std::nullopt}; }

private:
    T value_;
};

template <class Fn>
class RepeatWith : public StreamExt<RepeatWith<Fn>> {
public:
    using Item = std::invoke_result_t<Fn&>;
    explicit RepeatWith(Fn fn) : fn_(std::move(fn)) {}
    Poll<std::optional<Item>> poll_next(Context&) { return detail::ready_some<Item>(std::invoke(fn_)); }
    SizeHint size_hint() const { return {detail::kHintMax, std::nullopt}; }

private:
    Fn fn_;
};

/// An endless stream of copies of `value`.
template <class T>
Repeat<std::decay_t<T>> repeat(T&& value) {
    return Repeat<std::decay_t<T>>(std::forward<T>(value));
}

/// An endless stream of `fn()`.
template <class Fn>
RepeatWith<Fn> repeat_with(Fn fn) {
    return RepeatWith<Fn>(std::move(fn));
}

}  // namespace pollen::stream
