#pragma once
/// stream::Merge<A, B>: futures-rs's `stream::select` (Tokio's `merge`).
/// Items of both streams, whichever has one ready. Each poll_next asks the
/// two in turn, and which one goes first alternates from one poll_next to
/// the next (round robin), so a stream that is always ready cannot starve
/// the other. A side is destroyed as soon as it ends; the merge ends when
/// both have. It wakes when either side does; destroying it mid-way
/// destroys `a`, then `b`.

#include <concepts>
#include <optional>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class A, class B>
class Merge : public StreamExt<Merge<A, B>> {
    static_assert(std::same_as<item_t<A>, item_t<B>>, "pollen::stream::merge: both streams must have the same Item");

public:
    using Item = item_t<A>;

    Merge(A a, B b) : b_(std::in_place, std::move(b)), a_(std::in_place, std::move(a)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        bool a_first = a_first_;
        a_first_ = !a_first_;
        auto first = a_first ? poll_side(a_, cx) : poll_side(b_, cx);
        if (first.is_ready() && first.value()) return first;
        auto second = a_first ? poll_side(b_, cx) : poll_side(a_, cx);
        if (second.is_ready() && second.value()) return second;
        if (!a_ && !b_) return detail::ready_none<Item>();
        return pollen::pending;
    }

    bool is_terminated() const { return !a_ && !b_; }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const {
        auto a = a_ ? pollen::stream::size_hint(*a_) : detail::hint_ended();
        auto b = b_ ? pollen::stream::size_hint(*b_) : detail::hint_ended();
        return {detail::hint_add(a.first, b.first), detail::hint_checked_add(a.second, b.second)};
    }

private:
    /// One side's poll, treating a side that has ended (and is gone) as ended.
    template <class S>
    static Poll<std::optional<Item>> poll_side(std::optional<S>& s, Context& cx) {
        if (!s) return detail::ready_none<Item>();
        auto p = s->poll_next(cx);
        if (p.is_ready() && !p.value()) s.reset();
        return p;
    }

    // a_ comes after b_ so that it is destroyed first.
    std::optional<B> b_;
    std::optional<A> a_;
    bool a_first_ = true;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `a.merge(b)`.
template <Stream A, Stream B>
auto merge(A a, B b) {
    return Merge<A, B>(std::move(a), std::move(b));
}

/// futures-rs's name for the same thing: `stream::select(a, b)`.
template <Stream A, Stream B>
auto select(A a, B b) {
    return Merge<A, B>(std::move(a), std::move(b));
}

}  // namespace pollen::stream
