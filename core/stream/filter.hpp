#pragma once
/// stream::Filter<St, Fn>: futures-rs's `StreamExt::filter`. Each item is
/// shown to `fn(const item&)`, which answers a bool or a future of one; the
/// items answered true come out, the others are destroyed. While an answer
/// is pending the item is held, and the poll wakes when that future or the
/// inner stream would. Destroying it mid-way destroys the pending answer
/// future first (it may refer to the item), then the held item, then the
/// inner stream.

#include <optional>
#include <type_traits>
#include <utility>

#include "detail/as_future.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St, class Fn>
class Filter : public StreamExt<Filter<St, Fn>> {
    using Fut = detail::call_future_t<Fn, const item_t<St>&>;
    static_assert(std::is_convertible_v<output_t<Fut>, bool>,
                  "pollen::stream::filter: the closure must answer a bool or a future of one");

public:
    using Item = item_t<St>;

    Filter(St stream, Fn fn) : stream_(std::move(stream)), fn_(std::move(fn)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        for (;;) {
            if (!answer_) {
                auto p = stream_.poll_next(cx);
                if (p.is_pending()) return pollen::pending;
                auto item = p.take();
                if (!item) return detail::ready_none<Item>();
                item_.emplace(std::move(*item));
                answer_.emplace(detail::call_as_future(fn_, std::as_const(*item_)));
            }
            auto a = answer_->poll(cx);
            if (a.is_pending()) return pollen::pending;
            bool keep = a.take();
            answer_.reset();
            if (keep) {
                Item out = std::move(*item_);
                item_.reset();
                return detail::ready_some<Item>(std::move(out));
            }
            item_.reset();
        }
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const { return detail::hint_upper_only(pollen::stream::size_hint(stream_), answer_ ? 1 : 0); }

private:
    St stream_;
    Fn fn_;
    // Declared in this order so that the answer future dies before its item.
    std::optional<Item> item_;
    std::optional<Fut> answer_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.filter(fn)`.
template <Stream St, class Fn>
auto filter(St stream, Fn fn) {
    return Filter<St, Fn>(std::move(stream), std::move(fn));
}

}  // namespace pollen::stream
