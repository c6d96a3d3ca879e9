#pragma once
/// Poll<T>: the answer of one `poll` call, Rust's `Poll::Ready(v)` / `Poll::Pending`.
///
/// A future returns `pollen::pending` when it cannot finish yet (and has arranged
/// for its Context's waker to be woken when it can), or `pollen::ready(v)` with
/// its output. `Poll<void>` is the unit case: `return pollen::ready();`.

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>

namespace pollen {

/// The tag for "not yet": converts to any `Poll<T>`.
struct Pending {
    constexpr bool operator==(const Pending&) const = default;
};
inline constexpr Pending pending{};

/// A value on its way into a `Poll<T>`; made by `ready(v)`.
template <class T>
struct Ready {
    T value;
};
template <>
struct Ready<void> {};

template <class T>
Ready<std::decay_t<T>> ready(T&& value) {
    return {std::forward<T>(value)};
}
inline Ready<void> ready() { return {}; }

template <class T>
class [[nodiscard]] Poll {
public:
    using Output = T;

    Poll(Pending) {}
    template <class U>
        requires std::is_constructible_v<T, U&&>
    Poll(Ready<U>&& r) : value_(std::in_place, std::move(r.value)) {}

    bool is_ready() const { return value_.has_value(); }
    bool is_pending() const { return !value_.has_value(); }
    explicit operator bool() const { return is_ready(); }

    /// The output; only when ready.
    T& value() & { assert(is_ready()); return *value_; }
    T&& value() && { assert(is_ready()); return std::move(*value_); }
    /// Moves the output out (the Poll stays ready with a moved-from value).
    T take() { assert(is_ready()); return std::move(*value_); }

    /// Ready(f(v)) or Pending: Rust's `Poll::map`.
    template <class F>
    auto map(F&& f) && -> Poll<std::invoke_result_t<F, T&&>> {
        using U = std::invoke_result_t<F, T&&>;
        if (!is_ready()) return pending;
        if constexpr (std::is_void_v<U>) {
            std::forward<F>(f)(std::move(*value_));
            return Ready<void>{};
        } else {
            return Ready<U>{std::forward<F>(f)(std::move(*value_))};
        }
    }

private:
    std::optional<T> value_;
};

template <>
class [[nodiscard]] Poll<void> {
public:
    using Output = void;

    Poll(Pending) {}
    Poll(Ready<void>) : ready_(true) {}

    bool is_ready() const { return ready_; }
    bool is_pending() const { return !ready_; }
    explicit operator bool() const { return ready_; }
    void value() const { assert(ready_); }
    void take() const { assert(ready_); }

private:
    bool ready_ = false;
};

}  // namespace pollen
