#pragma once
/// LoopFn: `pollen::loop_fn(state, fn)`, a loop without coroutines (the
/// futures 0.1 `loop_fn`). `fn(State)` returns a future whose output is a
/// `LoopStep<State, T>`. LoopFn runs that future; on `Continue{s}` it destroys
/// it and calls `fn(s)` for the next one, on `Break{v}` it is ready with v.
/// Iterations that complete immediately run in a plain loop inside one poll,
/// so a million of them use constant stack. Destroying a LoopFn mid-way
/// destroys the running iteration's future (and `fn`). Polling it again after
/// Ready is a bug (asserted). `loop_fn` checks the body where it is called: a
/// body not taking the state, not returning a future, or whose future does
/// not output a LoopStep<State, T> (a closure returning Continue in one branch
/// and Break in another without `-> LoopStep<State, T>`, see loop_step.hpp)
/// fails with one static_assert naming the fix.

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
    // Fn's shape is checked where the call enters pollen (loop_fn below).
    using Body = std::invoke_result_t<Fn&, State&&>;
    using Step = output_t<Body>;

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

    /// For task dumps (core/trace.hpp): the current iteration's body.
    void describe(TraceVisitor& v) const {
        if (body_) v.child(*body_);
    }

private:
    std::optional<State> state_;
    std::optional<Body> body_;
    Fn fn_;
    [[no_unique_address]] detail::PinCheck pin_;
};

namespace detail {
/// What a refused loop_fn call returns after its static_assert: a future of
/// the value the body seems to break with, so that the caller's code reports
/// nothing more. It never runs (the program does not compile).
template <class T>
struct RefusedLoopFn : FutureExt<RefusedLoopFn<T>> {
    using Output = T;
    Poll<T> poll(Context&) { return pending; }
};
template <class Out>
struct break_guess {
    using type = void;
};
template <class T>
struct break_guess<Break<T>> {
    using type = T;
};
template <class S, class T>
struct break_guess<LoopStep<S, T>> {
    using type = T;
};
}  // namespace detail

/// Runs `fn(state)`'s future, again with each Continue's state, until Break.
/// The body's shape is checked here, each rule by one static_assert.
template <class State, class Fn>
auto loop_fn(State state, Fn fn) {
    static_assert(std::is_invocable_v<Fn&, State&&>,
                  "pollen::loop_fn: the body must accept the state, [](State s) { ... }, and return "
                  "a future of a pollen::LoopStep<State, T>");
    if constexpr (!std::is_invocable_v<Fn&, State&&>) {
        return detail::RefusedLoopFn<void>{};
    } else {
        using Body = std::invoke_result_t<Fn&, State&&>;
        static_assert(is_future_v<Body>,
                      "pollen::loop_fn: the body must return a future of a pollen::LoopStep<State, T>; "
                      "wrap a step known at once in pollen::future::ready(...)");
        if constexpr (!is_future_v<Body>) {
            return detail::RefusedLoopFn<typename detail::break_guess<Body>::type>{};
        } else {
            static_assert(detail::is_loop_step_of_v<output_t<Body>, State>,
                          "pollen::loop_fn: the body's future must output a pollen::LoopStep<State, T>: "
                          "a closure returning Continue{...} in one branch and Break{...} in another "
                          "needs that return type, -> pollen::LoopStep<State, T>");
            if constexpr (!detail::is_loop_step_of_v<output_t<Body>, State>)
                return detail::RefusedLoopFn<typename detail::break_guess<output_t<Body>>::type>{};
            else
                return LoopFn<State, Fn>(std::move(state), std::move(fn));
        }
    }
}

}  // namespace pollen
