#pragma once
/// LoopFn: `pollen::loop_fn(state, fn)`, a loop without coroutines (the
/// futures 0.1 `loop_fn`). `fn(State)` returns a future whose output is a
/// `LoopStep<State, T>`. LoopFn runs that future; on `Continue{s}` it destroys
/// it and calls `fn(s)` for the next one, on `Break{v}` it is ready with v.
/// Iterations that complete immediately run in a plain loop inside one poll,
/// so a million of them use constant stack. Destroying a LoopFn mid-way
/// destroys the running iteration's future (and `fn`). Polling it again after
/// Ready is a bug (asserted).

#include <cassert>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "future_ext.hpp"
#include "loop_step.hpp"

namespace pollen {

template <class State, class Fn>
class LoopFn : public FutureExt<LoopFn<State, Fn>> {
    using Body = std::invoke_result_t<Fn&, State&&>;
    static_assert(Future<Body>, "pollen::loop_fn: fn(state) must return a future");
    using Step = output_t<Body>;
    static_assert(std::is_same_v<typename Step::state_type, State>,
                  "pollen::loop_fn: the body must output a LoopStep<State, T>");

public:
    using Output = typename Step::break_type;

    LoopFn(State state, Fn fn) : state_(std::in_place, std::move(state)), fn_(std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        for (;;) {
            if (!body_) {
                assert(state_ && "pollen: LoopFn polled after it completed");
                body_.emplace(std::invoke(fn_, std::move(*state_)));
                state_.reset();
            }
            auto p = body_->poll(cx);
            if (p.is_pending()) return pending;
            Step step = p.take();
            body_.reset();
            if (step.is_break()) {
                if constexpr (std::is_void_v<Output>) return ready();
                else return Ready<Output>{std::move(step).value()};
            }
            state_.emplace(std::move(step).state());
        }
    }

private:
    std::optional<State> state_;
    std::optional<Body> body_;
    Fn fn_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Runs `fn(state)`'s future, again with each Continue's state, until Break.
template <class State, class Fn>
auto loop_fn(State state, Fn fn) {
    return LoopFn<State, Fn>(std::move(state), std::move(fn));
}

}  // namespace pollen
