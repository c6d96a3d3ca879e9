#pragma once
/// FutureExt<Self>: the fluent combinator methods (futures-rs's `FutureExt`
/// and `TryFutureExt`), `fut.map(f).then(g)...`. Every pollen future derives
/// from it (CRTP); a hand-written future gets the same methods by deriving
/// `pollen::FutureExt<MyFuture>`. Each method consumes the future (call it on
/// an rvalue: `std::move(fut).map(...)`) and returns the combinator by value,
/// holding the future inside it: no allocation unless `.boxed()`. Like the
/// future itself, the combinator must be moved only before its first poll.
///
/// The combinator types are declared here and defined in their own headers,
/// which this header includes at its end, so including any one of them gives
/// every fluent method. Each method has a free-function twin of the same name
/// (`pollen::map(fut, fn)`), defined next to its type.

#include <type_traits>
#include <utility>

#include "detail/invoke.hpp"
#include "future.hpp"
#include "trace.hpp"

namespace pollen {

template <class Fut, class Fn>
class Map;
template <class Fut, class Fn>
class Then;
template <class Fut, class Fn>
class Inspect;
template <class Fut, class Fn>
class AndThen;
template <class Fut, class Fn>
class OrElse;
template <class Fut, class Fn>
class MapOk;
template <class Fut, class Fn>
class MapErr;
template <class Fut>
class Fuse;
template <class T>
class BoxFuture;

namespace detail {

// The checks of map/then/and_then/or_else, run by both spellings (the method
// and its free twin) before the combinator type is named: a closure of the
// wrong shape then fails with one static_assert in pollen's words, right
// under the user's call, instead of deep inside std::invoke_result. Each
// returns whether every check passed; the entry point builds the combinator
// only then, so nothing else is reported.

template <class Fut, class Fn>
consteval bool check_map() {
    using In = typename Fut::Output;
    static_assert(callable_with_v<Fn, In>,
                  "pollen::map: the closure must accept the future's output (take it by value or "
                  "const&; no parameter when the output is void)");
    return callable_with_v<Fn, In>;
}

template <class Fut, class Fn>
consteval bool check_then() {
    using In = typename Fut::Output;
    static_assert(callable_with_v<Fn, In>,
                  "pollen::then: the closure must accept the future's output (take it by value or "
                  "const&; no parameter when the output is void)");
    if constexpr (callable_with_v<Fn, In>) {
        static_assert(is_future_v<invoke_output_t<Fn, In>>,
                      "pollen::then: the closure must return a future; to transform the output "
                      "with a plain function, use .map");
        return is_future_v<invoke_output_t<Fn, In>>;
    }
    return false;
}

template <class Fut, class Fn>
consteval bool check_and_then() {
    using In = typename Fut::Output;
    static_assert(is_result_v<In>,
                  "pollen::and_then: the future's output must be a pollen::Result<T, E>; for any "
                  "other output, use .then");
    if constexpr (is_result_v<In>) {
        using T = result_value_t<In>;
        static_assert(callable_with_v<Fn, T>,
                      "pollen::and_then: the closure must accept the Ok value T of the future's "
                      "Result<T, E> (no parameter when T is void), not the Result; to see the "
                      "whole Result, use .then");
        if constexpr (callable_with_v<Fn, T>) {
            using Next = invoke_output_t<Fn, T>;
            static_assert(is_future_v<Next>,
                          "pollen::and_then: the closure must return a future of a Result<U, E>; "
                          "to transform the value with a plain function, use .map_ok");
            if constexpr (is_future_v<Next>) {
                using Out = typename Next::Output;
                static_assert(is_result_v<Out>,
                              "pollen::and_then: the closure's future must output a "
                              "pollen::Result<U, E>");
                if constexpr (is_result_v<Out>) {
                    constexpr bool same_error = std::is_same_v<result_error_t<Out>, result_error_t<In>>;
                    static_assert(same_error,
                                  "pollen::and_then: both futures must have the same error type E; "
                                  "convert one with .map_err");
                    return same_error;
                }
            }
        }
    }
    return false;
}

template <class Fut, class Fn>
consteval bool check_or_else() {
    using In = typename Fut::Output;
    static_assert(is_result_v<In>,
                  "pollen::or_else: the future's output must be a pollen::Result<T, E>; for any "
                  "other output, use .then");
    if constexpr (is_result_v<In>) {
        using E = result_error_t<In>;
        static_assert(callable_with_v<Fn, E>,
                      "pollen::or_else: the closure must accept the error E of the future's "
                      "Result<T, E>, not the Result; to see the whole Result, use .then");
        if constexpr (callable_with_v<Fn, E>) {
            using Next = invoke_output_t<Fn, E>;
            static_assert(is_future_v<Next>,
                          "pollen::or_else: the closure must return a future of a Result<T, E2>; "
                          "to transform the error with a plain function, use .map_err");
            if constexpr (is_future_v<Next>) {
                using Out = typename Next::Output;
                static_assert(is_result_v<Out>,
                              "pollen::or_else: the closure's future must output a "
                              "pollen::Result<T, E2>");
                if constexpr (is_result_v<Out>) {
                    constexpr bool same_value = std::is_same_v<result_value_t<Out>, result_value_t<In>>;
                    static_assert(same_value,
                                  "pollen::or_else: both futures must have the same value type T; "
                                  "convert one with .map_ok");
                    return same_value;
                }
            }
        }
    }
    return false;
}

}  // namespace detail

template <class Self>
class FutureExt {
public:
    /// Ready(fn(output)) once the future is ready (`fn()` for a void output).
    template <class Fn>
    auto map(Fn fn) && {
        if constexpr (detail::check_map<Self, Fn>()) return Map<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// Runs the future `fn(output)` returns; ready with that future's output.
    template <class Fn>
    auto then(Fn fn) && {
        if constexpr (detail::check_then<Self, Fn>()) return Then<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// Calls `fn(const Output&)` (or `fn()`) on the output, then passes it on.
    template <class Fn>
    auto inspect(Fn fn) && {
        return Inspect<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// For a Result<T, E> output: on Ok(v) runs the future `fn(v)` returns
    /// (whose output is a Result<U, E>); an Err passes through untouched.
    template <class Fn>
    auto and_then(Fn fn) && {
        if constexpr (detail::check_and_then<Self, Fn>())
            return AndThen<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// For a Result<T, E> output: on Err(e) runs the future `fn(e)` returns
    /// (whose output is a Result<T, E2>); an Ok passes through untouched.
    template <class Fn>
    auto or_else(Fn fn) && {
        if constexpr (detail::check_or_else<Self, Fn>())
            return OrElse<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// For a Result<T, E> output: Ok(v) becomes Ok(fn(v)); errors pass through.
    template <class Fn>
    auto map_ok(Fn fn) && {
        return MapOk<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// For a Result<T, E> output: Err(e) becomes Err(fn(e)); values pass through.
    template <class Fn>
    auto map_err(Fn fn) && {
        return MapErr<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// Pending forever after completing, with `is_terminated()` true.
    auto fuse() && { return Fuse<Self>(std::move(self())); }

    /// Type-erased and heap-pinned: one allocation, movable even after polling.
    auto boxed() && {
        using Out = typename Self::Output;
        if constexpr (std::is_same_v<Self, BoxFuture<Out>>) return std::move(self());
        else return BoxFuture<Out>(std::move(self()));
    }

private:
    Self& self() { return static_cast<Self&>(*this); }
};

}  // namespace pollen

#include "and_then.hpp"
#include "boxed.hpp"
#include "fuse.hpp"
#include "inspect.hpp"
#include "map.hpp"
#include "map_err.hpp"
#include "map_ok.hpp"
#include "or_else.hpp"
#include "then.hpp"
