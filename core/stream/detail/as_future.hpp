#pragma once
/// Internal: the closures of `filter`, `take_while`, `fold`, `for_each`,
/// `unfold`... may answer at once (a bool, an accumulator, nothing) or with a
/// future of that answer, as futures-rs requires. `call_as_future` turns
/// either into a future, so each adapter has a single code path: an
/// immediate answer becomes a `future::Ready`, ready at its first poll.

#include <functional>
#include <type_traits>
#include <utility>

#include "../../future.hpp"
#include "../../ready.hpp"

namespace pollen::detail {

template <class R>
struct as_future {
    using type = future::Ready<std::remove_cvref_t<R>>;
};
template <>
struct as_future<void> {
    using type = future::Ready<void>;
};
template <Future R>
struct as_future<R> {
    using type = R;
};

/// The future that calling `fn(args...)` stands for.
template <class Fn, class... Args>
using call_future_t = typename as_future<std::invoke_result_t<Fn&, Args...>>::type;

/// The answer `fn(args...)` eventually gives (a future's output, or the value itself).
template <class Fn, class... Args>
using call_output_t = output_t<call_future_t<Fn, Args...>>;

template <class Fn, class... Args>
call_future_t<Fn, Args...> call_as_future(Fn& fn, Args&&... args) {
    using R = std::invoke_result_t<Fn&, Args...>;
    if constexpr (Future<R>) {
        return std::invoke(fn, std::forward<Args>(args)...);
    } else if constexpr (std::is_void_v<R>) {
        std::invoke(fn, std::forward<Args>(args)...);
        return future::Ready<void>();
    } else {
        return future::Ready<std::remove_cvref_t<R>>(std::invoke(fn, std::forward<Args>(args)...));
    }
}

}  // namespace pollen::detail
