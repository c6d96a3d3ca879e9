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

#include "future.hpp"

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

template <class Self>
class FutureExt {
public:
    /// Ready(fn(output)) once the future is ready (`fn()` for a void output).
    template <class Fn>
    auto map(Fn fn) && {
        return Map<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// Runs the future `fn(output)` returns; ready with that future's output.
    template <class Fn>
    auto then(Fn fn) && {
        return Then<Self, Fn>(std::move(self()), std::move(fn));
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
        return AndThen<Self, Fn>(std::move(self()), std::move(fn));
    }

    /// For a Result<T, E> output: on Err(e) runs the future `fn(e)` returns
    /// (whose output is a Result<T, E2>); an Ok passes through untouched.
    template <class Fn>
    auto or_else(Fn fn) && {
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
