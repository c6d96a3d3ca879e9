#pragma once
/// stream::Zip<A, B>: futures-rs's `StreamExt::zip`. Items are
/// `std::pair(item of a, item of b)`. Each poll_next polls whichever side
/// has no item waiting (an item that came first waits for its partner); the
/// zip ends as soon as either stream ends, and both streams (and a waiting
/// item) are destroyed at that moment. It wakes when a side it is waiting on
/// does; destroying it mid-way destroys a's waiting item and a, then b's.

#include <algorithm>
#include <optional>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class A, class B>
class Zip : public StreamExt<Zip<A, B>> {
public:
    using Item = std::pair<item_t<A>, item_t<B>>;

    Zip(A a, B b) : b_(std::in_place, std::move(b)), a_(std::in_place, std::move(a)) {}
    Zip(Zip&&) = default;
    Zip& operator=(Zip&&) = delete;
    ~Zip() { finish(); }

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        if (!a_) return detail::ready_none<Item>();
        bool ended = false;
        if (!item_a_) ended |= poll_side(*a_, item_a_, cx);
        if (!item_b_ && !ended) ended |= poll_side(*b_, item_b_, cx);
        if (ended) {
            finish();
            return detail::ready_none<Item>();
        }
        if (!item_a_ || !item_b_) return pollen::pending;
        Item out(std::move(*item_a_), std::move(*item_b_));
        item_a_.reset();
        item_b_.reset();
        return detail::ready_some<Item>(std::move(out));
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const {
        if (!a_) return detail::hint_ended();
        // An item waiting for its partner counts on its side.
        auto [la, ua] = detail::hint_plus(pollen::stream::size_hint(*a_), item_a_ ? 1 : 0);
        auto [lb, ub] = detail::hint_plus(pollen::stream::size_hint(*b_), item_b_ ? 1 : 0);
        std::optional<std::size_t> upper;
        if (ua && ub) upper = std::min(*ua, *ub);
        else if (ua) upper = ua;
        else upper = ub;
        return {std::min(la, lb), upper};
    }

private:
    /// Polls one side into its slot; true if that side has ended.
    template <class S, class T>
    static bool poll_side(S& s, std::optional<T>& slot, Context& cx) {
        auto p = s.poll_next(cx);
        if (p.is_pending()) return false;
        if (!p.value()) return true;
        slot.emplace(std::move(*p.value()));
        return false;
    }

    void finish() {
        item_a_.reset();
        a_.reset();
        item_b_.reset();
        b_.reset();
    }

    std::optional<B> b_;
    std::optional<A> a_;
    std::optional<item_t<B>> item_b_;
    std::optional<item_t<A>> item_a_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `a.zip(b)`.
template <Stream A, Stream B>
auto zip(A a, B b) {
    return Zip<A, B>(std::move(a), std::move(b));
}

}  // namespace pollen::stream
