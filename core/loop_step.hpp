#pragma once
/// LoopStep<State, T>: what one iteration of `loop_fn` produces, either
/// `Continue{state}` (run the body again with this state) or `Break{value}`
/// (finish with this value; `Break<void>{}` / `Break{}` when T is void).
/// Like `Ok`/`Err`, `Continue{s}` and `Break{v}` convert to any LoopStep whose
/// types fit, so a body can `return pollen::Continue{n + 1};`.
///
/// A closure that returns both must spell its return type:
///
///     [i]() -> pollen::LoopStep<int, std::string> {
///         if (i == 5) return pollen::Break{std::to_string(i)};
///         return pollen::Continue{i + 1};
///     }
///
/// Without it, C++ deduces the closure's type from each `return` on its own,
/// and `Continue<int>` and `Break<std::string>` are two types: no one type
/// could hold either payload without erasing it (an allocation per
/// iteration), so this stays the language's rule rather than pollen's. The
/// compiler then reports "inconsistent types ... deduced for lambda return
/// type" before pollen ever sees the closure; loop_fn's own static_assert,
/// naming the fix above, is the next error (test/compile_fail/ holds both).

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "result.hpp"

namespace pollen {

template <class S>
struct Continue {
    S state;
};
template <class S>
Continue(S) -> Continue<S>;

template <class T = void>
struct Break {
    T value;
};
template <>
struct Break<void> {};
template <class T>
Break(T) -> Break<T>;

template <class S, class T>
class LoopStep {
    using Value = std::conditional_t<std::is_void_v<T>, Unit, T>;

public:
    using state_type = S;
    using break_type = T;

    template <class U>
        requires std::is_constructible_v<S, U&&>
    LoopStep(Continue<U>&& c) : v_(std::in_place_index<0>, std::move(c.state)) {}
    template <class U>
        requires std::is_constructible_v<Value, U&&>
    LoopStep(Break<U>&& b) : v_(std::in_place_index<1>, std::move(b.value)) {}
    LoopStep(Break<void>) requires std::is_void_v<T> : v_(std::in_place_index<1>) {}

    bool is_continue() const { return v_.index() == 0; }
    bool is_break() const { return v_.index() == 1; }

    /// The next state; only for Continue.
    S&& state() && { assert(is_continue()); return std::get<0>(std::move(v_)); }
    /// The final value; only for Break.
    Value&& value() && { assert(is_break()); return std::get<1>(std::move(v_)); }

private:
    std::variant<S, Value> v_;  // index-based: S and T may be the same type
};

namespace detail {
/// Whether Step is a LoopStep<State, T> for some T (loop_fn's check).
template <class Step, class State>
inline constexpr bool is_loop_step_of_v = false;
template <class State, class T>
inline constexpr bool is_loop_step_of_v<LoopStep<State, T>, State> = true;
}  // namespace detail

}  // namespace pollen
