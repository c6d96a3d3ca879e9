#pragma once
/// stream::Chain<A, B>: futures-rs's `StreamExt::chain`. The items of `a`
/// until it ends, then those of `b`. `a` is destroyed as soon as it ends; `b`
/// is not polled before that. It wakes whenever the stream being polled
/// does; destroying it mid-way destroys `a` (if still there), then `b`.

#include <concepts>
#include <optional>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class A, class B>
class Chain : public StreamExt<Chain<A, B>> {
    static_assert(std::same_as<item_t<A>, item_t<B>>, "pollen::stream::chain: both streams must have the same Item");

public:
    using Item = item_t<A>;

    Chain(A a, B b) : b_(std::move(b)), a_(std::in_place, std::move(a)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        if (a_) {
            auto p = a_->poll_next(cx);
            if (p.is_pending() || p.value()) return p;
            a_.reset();
        }
        return b_.poll_next(cx);
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const {
        auto second = pollen::stream::size_hint(b_);
        if (!a_) return second;
        auto first = pollen::stream::size_hint(*a_);
        return {detail::hint_add(first.first, second.first), detail::hint_checked_add(first.second, second.second)};
    }

private:
    // a_ comes after b_ so that it is destroyed first.
    B b_;
    std::optional<A> a_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `a.chain(b)`.
template <Stream A, Stream B>
auto chain(A a, B b) {
    return Chain<A, B>(std::move(a), std::move(b));
}

}  // namespace pollen::stream
