#pragma once
/// Flatten<Fut, Fn, Step>: the two-state machine under Then, AndThen and
/// OrElse (futures-rs builds all three on its Flatten). poll polls the first
/// future; once it is ready, destroys it, and asks Step what its output
/// becomes: either a second future, made by calling `fn` (destroyed right
/// after), which it polls in the same poll, or (and_then's Err, or_else's
/// Ok) the final output at once. Ready with the second future's output,
/// destroying the second future first. Destroying a Flatten mid-way destroys
/// `fn` if it has not run, then whichever future is live. Distinct objects:
/// safe; shared objects: unsafe.
///
/// Step, a stateless policy of the combinator (In = output_t<Fut>):
///   using Next;                       the second future
///   static Next next(Fn&, In&&);      calls fn (with nothing when In is void)
///   static bool goes_on(const In&);   optional, with finish: whether the
///   static Output finish(In&&);       output goes to fn, and if not, the result

#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "../future.hpp"
#include "../trace.hpp"

namespace pollen::detail {

template <class Fut, class Fn, class Step>
class Flatten {
    using In = output_t<Fut>;
    using Next = typename Step::Next;
    // Index-based: Fut and Next may be the same type.
    using State = std::variant<std::monostate, Fut, Next>;

public:
    using Output = output_t<Next>;

    Flatten(Fut fut, Fn fn)
        : state_(std::in_place_index<kFirst>, std::move(fut)), fn_(std::in_place, std::move(fn)) {}

    // A future is moved (or copied) only before its first poll, so only while
    // it holds the first future. Checking that before moving the variant shows
    // GCC 12 which alternative moves: without the check, at -O2 it may report
    // the move of the never-built second future as maybe-uninitialized, which
    // users building with -Werror cannot take. Release builds (no pin checks)
    // still refuse such a move loudly.
    Flatten(Flatten&& other) noexcept(
        std::is_nothrow_move_constructible_v<State> && std::is_nothrow_move_constructible_v<std::optional<Fn>>)
        : pin_(std::move(other.pin_)), state_(std::move(unpinned(other).state_)), fn_(std::move(other.fn_)) {}
    Flatten(const Flatten& other)
        requires std::is_copy_constructible_v<State> && std::is_copy_constructible_v<std::optional<Fn>>
        : pin_(other.pin_), state_(unpinned(other).state_), fn_(other.fn_) {}
    Flatten& operator=(Flatten&&) = default;
    Flatten& operator=(const Flatten&) = default;

    /// Not to be called again once it returned Ready (the wrappers assert it).
    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        if (state_.index() == kFirst) {
            auto p = std::get<kFirst>(state_).poll(cx);
            if (p.is_pending()) return pending;
            if constexpr (std::is_void_v<In>) {
                state_.template emplace<kEmpty>();
                state_.template emplace<kSecond>(Step::next(*fn_));
            } else {
                // The first future goes before fn runs, as futures-rs's does.
                In value = p.take();
                state_.template emplace<kEmpty>();
                if constexpr (requires { Step::goes_on(value); }) {
                    if (!Step::goes_on(value)) {
                        fn_.reset();
                        return ready(Step::finish(std::move(value)));
                    }
                }
                state_.template emplace<kSecond>(Step::next(*fn_, std::move(value)));
            }
            fn_.reset();
        }
        auto p = std::get<kSecond>(state_).poll(cx);
        if (p.is_ready()) state_.template emplace<kEmpty>();
        return p;
    }

    /// True once it returned Ready (it then holds nothing; futures-rs's FusedFuture).
    bool is_terminated() const { return state_.index() == kEmpty; }

    /// For task dumps (core/trace.hpp): whichever future is live.
    void describe(TraceVisitor& v) const {
        if (state_.index() == kFirst) v.child(std::get<kFirst>(state_));
        else if (state_.index() == kSecond) v.child(std::get<kSecond>(state_));
    }

private:
    template <class Self>
    static Self& unpinned(Self& other) {
        if (other.state_.index() != kFirst) pin_violation("a future was moved after its first poll");
        return other;
    }

    static constexpr std::size_t kEmpty = 0;
    static constexpr std::size_t kFirst = 1;
    static constexpr std::size_t kSecond = 2;
    // First, so that a pinned future's move stops here in debug builds.
    [[no_unique_address]] PinCheck pin_;
    State state_;
    std::optional<Fn> fn_;
};

}  // namespace pollen::detail
