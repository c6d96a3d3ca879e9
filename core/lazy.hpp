#pragma once
/// future::Lazy<Fn>: futures-rs's `future::lazy`. `pollen::lazy(fn)` defers
/// `fn` to the first poll, which calls it (with the Context if `fn` takes a
/// `Context&`, with nothing otherwise) and is Ready with its result. Nothing
/// runs if it is destroyed before being polled; polling again after Ready is
/// a bug (asserted). It may be moved at any time (Unpin); `fn` is destroyed
/// right after it ran.

#include <cassert>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "detail/invoke.hpp"
#include "future_ext.hpp"

namespace pollen::detail {
template <class Fn>
struct lazy_output {
    using type = std::invoke_result_t<Fn&>;
};
template <class Fn>
    requires std::is_invocable_v<Fn&, Context&>
struct lazy_output<Fn> {
    using type = std::invoke_result_t<Fn&, Context&>;
};
}  // namespace pollen::detail

namespace pollen::future {

template <class Fn>
class Lazy : public FutureExt<Lazy<Fn>> {
public:
    using Output = typename pollen::detail::lazy_output<Fn>::type;

    explicit Lazy(Fn fn) : fn_(std::in_place, std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        assert(fn_ && "pollen: future::Lazy polled after it completed");
        std::optional<Fn> fn = std::move(fn_);
        fn_.reset();
        return pollen::detail::ready_from<Output>([&]() -> Output {
            if constexpr (std::is_invocable_v<Fn&, Context&>) return std::invoke(*fn, cx);
            else return std::invoke(*fn);
        });
    }

private:
    std::optional<Fn> fn_;
};

/// A future that calls `fn` when first polled and is ready with its result.
template <class Fn>
Lazy<Fn> lazy(Fn fn) {
    return Lazy<Fn>(std::move(fn));
}

}  // namespace pollen::future

namespace pollen {
using future::lazy;
}
