#pragma once
/// OrElse: futures-rs's `TryFutureExt::or_else`, for a future whose output is
/// a Result<T, E>. On Err(e) it destroys the first future, calls `fn(e)` to
/// get a second future whose output is a Result<T, E2> with the same T, and
/// polls it in the same poll; ready with that Result. On Ok(v) it is ready
/// with Ok(v) at once and `fn` never runs. Destroying an OrElse mid-way
/// destroys whichever future it is running.

#include <cassert>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "detail/invoke.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class Fut, class Fn>
class OrElse : public FutureExt<OrElse<Fut, Fn>> {
    // Fut's output and Fn's shape are checked where the call enters pollen
    // (detail::check_or_else).
    using In = output_t<Fut>;
    using Next = std::invoke_result_t<Fn&, detail::result_error_t<In>&&>;

public:
    using Output = output_t<Next>;

    OrElse(Fut fut, Fn fn)
        : state_(std::in_place_index<kFirst>, std::move(fut)), fn_(std::in_place, std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        if (state_.index() == kFirst) {
            auto p = std::get<kFirst>(state_).poll(cx);
            if (p.is_pending()) return pending;
            In result = p.take();
            state_.template emplace<kEmpty>();
            if (result.is_ok()) {
                fn_.reset();
                return ready(detail::rewrap_ok<Output>(std::move(result)));
            }
            state_.template emplace<kSecond>(std::invoke(*fn_, std::move(result).error()));
            fn_.reset();
        }
        assert(state_.index() == kSecond && "pollen: OrElse polled after it completed");
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

/// Free-function form of `fut.or_else(fn)`.
template <Future Fut, class Fn>
auto or_else(Fut fut, Fn fn) {
    if constexpr (detail::check_or_else<Fut, Fn>()) return OrElse<Fut, Fn>(std::move(fut), std::move(fn));
}

}  // namespace pollen
