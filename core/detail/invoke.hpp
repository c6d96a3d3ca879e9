#pragma once
/// Internal helpers the combinators share: calling a closure with a future's
/// output when that output may be `void`, and turning the call's result into
/// a Ready poll (also when the closure returns `void`).

#include <functional>
#include <type_traits>
#include <utility>

#include "../poll.hpp"
#include "../result.hpp"

namespace pollen::detail {

/// The result of calling fn with a value of type T (or no argument for void).
template <class Fn, class T>
struct invoke_output {
    using type = std::invoke_result_t<Fn&, T&&>;
};
template <class Fn>
struct invoke_output<Fn, void> {
    using type = std::invoke_result_t<Fn&>;
};
template <class Fn, class T>
using invoke_output_t = typename invoke_output<Fn, T>::type;

/// Whether fn can be called with a T (with nothing for void): what the
/// combinators' entry points check before naming invoke_output_t, so that a
/// closure taking the wrong type fails with pollen's message.
template <class Fn, class T>
inline constexpr bool callable_with_v = std::is_invocable_v<Fn&, T&&>;
template <class Fn>
inline constexpr bool callable_with_v<Fn, void> = std::is_invocable_v<Fn&>;

/// Calls fn with the ready value of `p` (a Poll<T>, T possibly void).
template <class Fn, class T>
decltype(auto) invoke_with(Fn& fn, Poll<T>& p) {
    if constexpr (std::is_void_v<T>) return std::invoke(fn);
    else return std::invoke(fn, p.take());
}

/// Ready(value of calling `call()`), also when that value is void.
template <class R, class Call>
Poll<R> ready_from(Call&& call) {
    if constexpr (std::is_void_v<R>) {
        std::forward<Call>(call)();
        return ready();
    } else {
        return Ready<R>{std::forward<Call>(call)()};
    }
}

/// The pieces of a Result type, for combinators over fallible futures.
template <class R>
struct result_traits;
template <class T, class E>
struct result_traits<Result<T, E>> {
    using value_type = T;
    using error_type = E;
};
template <class R>
using result_value_t = typename result_traits<R>::value_type;
template <class R>
using result_error_t = typename result_traits<R>::error_type;

/// Moves the ok value of `r` into another Result type `To` (same or compatible T).
template <class To, class T, class E>
To rewrap_ok(Result<T, E>&& r) {
    if constexpr (std::is_void_v<T>) return To(Ok());
    else return To(Ok(std::move(r).value()));
}

/// Moves the error of `r` into another Result type `To` (same or compatible E).
template <class To, class T, class E>
To rewrap_err(Result<T, E>&& r) {
    return To(Err(std::move(r).error()));
}

/// Calls fn with the ok value of `r` (nothing when T is void).
template <class Fn, class T, class E>
decltype(auto) invoke_with_ok(Fn& fn, Result<T, E>&& r) {
    if constexpr (std::is_void_v<T>) return std::invoke(fn);
    else return std::invoke(fn, std::move(r).value());
}

}  // namespace pollen::detail
