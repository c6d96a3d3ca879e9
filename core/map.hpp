#pragma once
/// Map: futures-rs's `map`. Polls the inner future; when it is ready, calls
/// `fn` with its output (or with nothing for a void output) and is ready with
/// the result. The inner future is destroyed as soon as it completes, before
/// `fn` runs. Destroying a Map mid-way destroys the inner future.

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "future_ext.hpp"

namespace pollen {

namespace detail {
/// The result of calling fn with a future's output (or no argument for void).
template <class Fn, class T>
struct invoke_output { using type = std::invoke_result_t<Fn&, T&&>; };
template <class Fn>
struct invoke_output<Fn, void> { using type = std::invoke_result_t<Fn&>; };
template <class Fn, class T>
using invoke_output_t = typename invoke_output<Fn, T>::type;

/// Calls fn with the ready value of `p` (a Poll<T>, T possibly void).
template <class Fn, class T>
decltype(auto) invoke_with(Fn& fn, Poll<T>& p) {
    if constexpr (std::is_void_v<T>) return std::invoke(fn);
    else return std::invoke(fn, p.take());
}

/// Ready(value of calling fn ...), also for void results.
template <class R, class Call>
Poll<R> ready_from(Call&& call) {
    if constexpr (std::is_void_v<R>) {
        std::forward<Call>(call)();
        return ready();
    } else {
        return Ready<R>{std::forward<Call>(call)()};
    }
}
}  // namespace detail

template <class Fut, class Fn>
class Map : public FutureExt<Map<Fut, Fn>> {
public:
    using Output = detail::invoke_output_t<Fn, output_t<Fut>>;

    Map(Fut fut, Fn fn) : fut_(std::in_place, std::move(fut)), fn_(std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        auto p = fut_->poll(cx);
        if (p.is_pending()) return pending;
        return detail::ready_from<Output>([&]() -> Output {
            if constexpr (std::is_void_v<output_t<Fut>>) {
                fut_.reset();
                return std::invoke(*fn_);
            } else {
                auto value = p.take();
                fut_.reset();
                return std::invoke(*fn_, std::move(value));
            }
        });
    }

private:
    std::optional<Fut> fut_;
    std::optional<Fn> fn_;
    [[no_unique_address]] detail::PinCheck pin_;
};

template <Future Fut, class Fn>
auto map(Fut fut, Fn fn) {
    return Map<Fut, Fn>(std::move(fut), std::move(fn));
}

}  // namespace pollen
