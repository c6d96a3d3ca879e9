#pragma once
/// stream::Unfold<State, Fn>: futures-rs's `stream::unfold`. A stream built
/// from a state: each poll_next hands the state to `fn(state)`, which
/// answers (directly or through a future) a
/// `std::optional<std::pair<Item, State>>`: an item and the next state, or
/// nullopt to end the stream. While that future is pending, poll_next wakes
/// when it would; the future is destroyed as soon as it completes.
/// Destroying the stream mid-way destroys the pending future (which owns
/// the state at that point) or the state.

#include <optional>
#include <type_traits>
#include <utility>

#include "detail/as_future.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class State, class Fn>
class Unfold : public StreamExt<Unfold<State, Fn>> {
    using Fut = detail::call_future_t<Fn, State>;
    using Answer = output_t<Fut>;

public:
    using Item = typename Answer::value_type::first_type;
    static_assert(std::is_same_v<Answer, std::optional<std::pair<Item, State>>>,
                  "pollen::stream::unfold: the closure must answer optional<pair<Item, State>> "
                  "or a future of one");

    Unfold(State init, Fn fn) : fn_(std::move(fn)), state_(std::in_place, std::move(init)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        if (state_) {
            State s = std::move(*state_);
            state_.reset();
            fut_.emplace(detail::call_as_future(fn_, std::move(s)));
        }
        if (!fut_) return detail::ready_none<Item>();
        auto p = fut_->poll(cx);
        if (p.is_pending()) return pollen::pending;
        Answer answer = p.take();
        fut_.reset();
        if (!answer) return detail::ready_none<Item>();
        state_.emplace(std::move(answer->second));
        return detail::ready_some<Item>(std::move(answer->first));
    }

private:
    Fn fn_;
    std::optional<State> state_;
    std::optional<Fut> fut_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// A stream unfolded from `init` by `fn`.
template <class State, class Fn>
auto unfold(State init, Fn fn) {
    return Unfold<State, Fn>(std::move(init), std::move(fn));
}

}  // namespace pollen::stream
