#pragma once
/// Then: futures-rs's `then`. Polls the first future; when it is ready,
/// destroys it, calls `fn` with its output (nothing for void) to get a second
/// future, and polls that one in the same poll. Ready with the second
/// future's output, destroying the second future first. Destroying a Then
/// mid-way destroys whichever future it is running.

#include <cassert>
#include <functional>
#include <optional>
#include <utility>
#include <variant>

#include "detail/invoke.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class Fut, class Fn>
class Then : public FutureExt<Then<Fut, Fn>> {
    // Fn's shape is checked where the call enters pollen (detail::check_then).
    using Next = detail::invoke_output_t<Fn, output_t<Fut>>;

public:
    using Output = output_t<Next>;

    Then(Fut fut, Fn fn)
        : state_(std::in_place_index<kFirst>, std::move(fut)), fn_(std::in_place, std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        if (state_.index() == kFirst) {
            auto p = std::get<kFirst>(state_).poll(cx);
            if (p.is_pending()) return pending;
            start_next(p);
        }
        assert(state_.index() == kSecond && "pollen: Then polled after it completed");
        auto p = std::get<kSecond>(state_).poll(cx);
        if (p.is_ready()) state_.template emplace<kEmpty>();
        return p;
    }

private:
    void start_next(Poll<output_t<Fut>>& p) {
        if constexpr (std::is_void_v<output_t<Fut>>) {
            state_.template emplace<kEmpty>();
            state_.template emplace<kSecond>(std::invoke(*fn_));
        } else {
            auto value = p.take();
            state_.template emplace<kEmpty>();
            state_.template emplace<kSecond>(std::invoke(*fn_, std::move(value)));
        }
        fn_.reset();
    }

    static constexpr std::size_t kEmpty = 0;
    static constexpr std::size_t kFirst = 1;
    static constexpr std::size_t kSecond = 2;
    std::variant<std::monostate, Fut, Next> state_;
    std::optional<Fn> fn_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `fut.then(fn)`.
template <Future Fut, class Fn>
auto then(Fut fut, Fn fn) {
    if constexpr (detail::check_then<Fut, Fn>()) return Then<Fut, Fn>(std::move(fut), std::move(fn));
}

}  // namespace pollen
