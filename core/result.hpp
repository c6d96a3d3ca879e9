#pragma once
/// Result<T, E>: Rust's `Result`, the value-or-error that pollen's fallible
/// futures produce (`io::Result<T>` is `Result<T, std::error_code>`).
///
/// Build one with `pollen::Ok(v)` / `pollen::Ok()` / `pollen::Err(e)`, which
/// convert to any Result whose types fit. `Unit` is Rust's `()`: what a
/// `void` output becomes where a value is needed (join tuples, Result<void>).

#include <cassert>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace pollen {

/// Rust's `()`.
using Unit = std::monostate;

template <class T>
struct OkValue {
    T value;
};
template <>
struct OkValue<void> {};
template <class E>
struct ErrValue {
    E error;
};

template <class T>
OkValue<std::decay_t<T>> Ok(T&& v) { return {std::forward<T>(v)}; }
inline OkValue<void> Ok() { return {}; }
template <class E>
ErrValue<std::decay_t<E>> Err(E&& e) { return {std::forward<E>(e)}; }

/// Thrown by `unwrap()` on an error (a Rust panic); the library itself never
/// calls unwrap.
struct BadResultAccess : std::logic_error {
    using std::logic_error::logic_error;
};

template <class T, class E>
class [[nodiscard]] Result {
    using Stored = std::conditional_t<std::is_void_v<T>, Unit, T>;

public:
    using value_type = T;
    using error_type = E;

    template <class U>
        requires std::is_constructible_v<Stored, U&&>
    Result(OkValue<U>&& ok) : v_(std::in_place_index<0>, std::move(ok.value)) {}
    Result(OkValue<void>) requires std::is_void_v<T> : v_(std::in_place_index<0>) {}
    template <class G>
        requires std::is_constructible_v<E, G&&>
    Result(ErrValue<G>&& err) : v_(std::in_place_index<1>, std::move(err.error)) {}

    bool is_ok() const { return v_.index() == 0; }
    bool is_err() const { return v_.index() == 1; }
    bool has_value() const { return is_ok(); }
    explicit operator bool() const { return is_ok(); }

    /// The value; only when ok (asserted).
    Stored& value() & { assert(is_ok()); return std::get<0>(v_); }
    const Stored& value() const& { assert(is_ok()); return std::get<0>(v_); }
    Stored&& value() && { assert(is_ok()); return std::get<0>(std::move(v_)); }
    Stored& operator*() & { return value(); }
    Stored&& operator*() && { return std::move(*this).value(); }
    Stored* operator->() { return &value(); }

    /// The error; only when err (asserted).
    E& error() & { assert(is_err()); return std::get<1>(v_); }
    const E& error() const& { assert(is_err()); return std::get<1>(v_); }
    E&& error() && { assert(is_err()); return std::get<1>(std::move(v_)); }

    /// Rust's `unwrap`: the value, or throws BadResultAccess.
    Stored unwrap() && {
        if (is_err()) throw BadResultAccess("pollen: unwrap() on an error Result");
        return std::get<0>(std::move(v_));
    }
    template <class U>
    Stored value_or(U&& fallback) && {
        return is_ok() ? std::get<0>(std::move(v_)) : Stored(std::forward<U>(fallback));
    }

    bool operator==(const Result&) const = default;

private:
    std::variant<Stored, E> v_;
};

template <class R>
inline constexpr bool is_result_v = false;
template <class T, class E>
inline constexpr bool is_result_v<Result<T, E>> = true;

}  // namespace pollen
