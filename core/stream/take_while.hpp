#pragma once
/// stream::TakeWhile<St, Fn>: futures-rs's `StreamExt::take_while`. Each
/// item is shown to `fn(const item&)`, which answers a bool or a future of
/// one; items come out while the answer is true. At the first false the
/// stream ends: that item, the answer future and the inner stream are
/// destroyed there and then. While an answer is pending the item is held.
/// Destroying it mid-way destroys the answer future, the item, then the
/// inner stream.

#include <optional>
#include <type_traits>
#include <utility>

#include "detail/as_future.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St, class Fn>
class TakeWhile : public StreamExt<TakeWhile<St, Fn>> {
    using Fut = detail::call_future_t<Fn, const item_t<St>&>;
    static_assert(std::is_convertible_v<output_t<Fut>, bool>,
                  "pollen::stream::take_while: the closure must answer a bool or a future of one");

public:
    using Item = item_t<St>;

    TakeWhile(St stream, Fn fn) : stream_(std::in_place, std::move(stream)), fn_(std::move(fn)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        if (!stream_) return detail::ready_none<Item>();
        if (!answer_) {
            auto p = stream_->poll_next(cx);
            if (p.is_pending()) return pollen::pending;
            auto item = p.take();
            if (!item) {
                stream_.reset();
                return detail::ready_none<Item>();
            }
            item_.emplace(std::move(*item));
            answer_.emplace(detail::call_as_future(fn_, std::as_const(*item_)));
        }
        auto a = answer_->poll(cx);
        if (a.is_pending()) return pollen::pending;
        bool keep = a.take();
        answer_.reset();
        if (!keep) {
            item_.reset();
            stream_.reset();
            return detail::ready_none<Item>();
        }
        Item out = std::move(*item_);
        item_.reset();
        return detail::ready_some<Item>(std::move(out));
    }

    bool is_terminated() const { return !stream_; }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const {
        if (!stream_) return detail::hint_ended();
        return detail::hint_upper_only(pollen::stream::size_hint(*stream_), answer_ ? 1 : 0);
    }

private:
    std::optional<St> stream_;
    Fn fn_;
    std::optional<Item> item_;
    std::optional<Fut> answer_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.take_while(fn)`.
template <Stream St, class Fn>
auto take_while(St stream, Fn fn) {
    return TakeWhile<St, Fn>(std::move(stream), std::move(fn));
}

}  // namespace pollen::stream
