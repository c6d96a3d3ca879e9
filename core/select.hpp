#pragma once
/// Select: futures-rs's `future::select`, `pollen::select(a, b)`. Each poll
/// polls `a`, then `b`. When one is ready, the winner is destroyed and Select
/// is ready with an Either: `Left{(a's output, b)}` or `Right{(b's output, a)}`,
/// handing back the unfinished other future so the caller may keep driving it
/// or drop it (a void output becomes `pollen::Unit`). The two outputs may
/// differ (unlike `race`'s, which must agree). Since the loser may have
/// been polled, it is moved after polling: like Rust's `Unpin` bound, both
/// futures must allow that (box them with `.boxed()`, or use futures that do
/// not pin-check, e.g. the leaf futures). Destroying a Select mid-way
/// destroys `a`, then `b`. Polling it again after Ready is a bug (asserted).

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>

#include "either.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class A, class B>
class Select : public FutureExt<Select<A, B>> {
public:
    using Output = Either<std::pair<unit_if_void_t<output_t<A>>, B>,
                          std::pair<unit_if_void_t<output_t<B>>, A>>;

    Select(A a, B b) : b_(std::in_place, std::move(b)), a_(std::in_place, std::move(a)) {}
    Select(Select&&) = default;
    Select& operator=(Select&&) = delete;
    // Members die in reverse order: a_, then b_ (argument order). An explicit
    // reset() here made GCC 12 warn maybe-uninitialized on boxed children.
    ~Select() = default;

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(a_ && b_ && "pollen: Select polled after it completed");
        if (auto p = a_->poll(cx); p.is_ready()) {
            auto value = take_value(p);
            a_.reset();
            B loser = std::move(*b_);
            b_.reset();
            return Ready<Output>{Output(std::in_place_index<0>, std::move(value), std::move(loser))};
        }
        if (auto p = b_->poll(cx); p.is_ready()) {
            auto value = take_value(p);
            b_.reset();
            A loser = std::move(*a_);
            a_.reset();
            return Ready<Output>{Output(std::in_place_index<1>, std::move(value), std::move(loser))};
        }
        return pending;
    }

    /// For task dumps (core/trace.hpp): both futures, while it waits.
    void describe(TraceVisitor& v) const {
        if (a_) v.child(*a_);
        if (b_) v.child(*b_);
    }

private:
    template <class T>
    static unit_if_void_t<T> take_value(Poll<T>& p) {
        if constexpr (std::is_void_v<T>) return Unit{};
        else return p.take();
    }

    std::optional<B> b_;  // declared first so that a_ is destroyed first
    std::optional<A> a_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Waits for the first of two futures; hands back the other one.
template <Future A, Future B>
auto select(A a, B b) {
    return Select<A, B>(std::move(a), std::move(b));
}

}  // namespace pollen
