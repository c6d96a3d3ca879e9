#pragma once
/// AndThen: futures-rs's `TryFutureExt::and_then`, for a future whose output
/// is a Result<T, E>. On Ok(v) it destroys the first future, calls `fn(v)`
/// (`fn()` when T is void) to get a second future whose output is a
/// Result<U, E> with the same E, and polls it in the same poll; ready with
/// that Result. On Err(e) it is ready with Err(e) at once and `fn` never runs.
/// Destroying an AndThen mid-way destroys whichever future it is running.

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "detail/invoke.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class Fut, class Fn>
class AndThen : public FutureExt<AndThen<Fut, Fn>> {
    // Fut's output and Fn's shape are checked where the call enters pollen
    // (detail::check_and_then).
    using In = output_t<Fut>;
    using Next = detail::invoke_output_t<Fn, detail::result_value_t<In>>;

public:
    using Output = output_t<Next>;

    AndThen(Fut fut, Fn fn)
        : state_(std::in_place_index<kFirst>, std::move(fut)), fn_(std::in_place, std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        if (state_.index() == kFirst) {
            auto p = std::get<kFirst>(state_).poll(cx);
            if (p.is_pending()) return pending;
            In result = p.take();
            state_.template emplace<kEmpty>();
            if (result.is_err()) {
                fn_.reset();
                return ready(detail::rewrap_err<Output>(std::move(result)));
            }
            state_.template emplace<kSecond>(detail::invoke_with_ok(*fn_, std::move(result)));
            fn_.reset();
        }
        assert(state_.index() == kSecond && "pollen: AndThen polled after it completed");
        auto p = std::get<kSecond>(state_).poll(cx);
        if (p.is_ready()) state_.template emplace<kEmpty>();
        return p;
    }

private:
    static constexpr std::size_t kEmpty = 0;
    static constexpr std::size_t kFirst = 1;
    static constexpr std::size_t kSecond = 2;
    std::variant<std::monostate, Fut, Next> state_;
    std::optional<Fn> fn_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `fut.and_then(fn)`.
template <Future Fut, class Fn>
auto and_then(Fut fut, Fn fn) {
    if constexpr (detail::check_and_then<Fut, Fn>()) return AndThen<Fut, Fn>(std::move(fut), std::move(fn));
}

}  // namespace pollen
