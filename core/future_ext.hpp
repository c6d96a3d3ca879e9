#pragma once
/// FutureExt<Self>: the fluent combinator methods (futures-rs's `FutureExt`),
/// `fut.map(f).then(g)...`. Every pollen future derives from it (CRTP); a
/// hand-written future gets the same methods by deriving
/// `pollen::FutureExt<MyFuture>`. Each method consumes the future (call it on
/// an rvalue: `std::move(fut).map(...)`) and returns the combinator by value:
/// no allocation unless `.boxed()`.
///
/// The combinator types are declared here and defined in their own headers,
/// which this header includes at its end, so including any one of them gives
/// every fluent method.

#include <type_traits>
#include <utility>

#include "future.hpp"

namespace pollen {

template <class Fut, class Fn>
class Map;

template <class Self>
class FutureExt {
public:
    /// Ready(fn(output)) once the future is ready (`fn()` for a void output).
    template <class Fn>
    auto map(Fn fn) && {
        return Map<Self, Fn>(std::move(self()), std::move(fn));
    }

private:
    Self& self() { return static_cast<Self&>(*this); }
};

}  // namespace pollen

#include "map.hpp"
