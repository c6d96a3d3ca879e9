#pragma once
/// stream::SkipWhile<St, Fn>: futures-rs's `StreamExt::skip_while`. Items
/// are shown to `fn(const item&)`, which answers a bool or a future of one,
/// and destroyed while the answer is true; from the first false on (that
/// item included) everything passes through without asking `fn` again.
/// While an answer is pending the item is held. Destroying it mid-way
/// destroys the answer future, the item, then the inner stream.

#include <optional>
#include <type_traits>
#include <utility>

#include "detail/as_future.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St, class Fn>
class SkipWhile : public StreamExt<SkipWhile<St, Fn>> {
    using Fut = detail::call_future_t<Fn, const item_t<St>&>;
    static_assert(std::is_convertible_v<output_t<Fut>, bool>,
                  "pollen::stream::skip_while: the closure must answer a bool or a future of one");

public:
    using Item = item_t<St>;

    SkipWhile(St stream, Fn fn) : stream_(std::move(stream)), fn_(std::move(fn)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        while (!done_skipping_) {
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
            bool skip = a.take();
            answer_.reset();
            if (!skip) {
                done_skipping_ = true;
                Item out = std::move(*item_);
                item_.reset();
                return detail::ready_some<Item>(std::move(out));
            }
            item_.reset();
        }
        return stream_.poll_next(cx);
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const {
        if (done_skipping_) return pollen::stream::size_hint(stream_);
        return detail::hint_upper_only(pollen::stream::size_hint(stream_), answer_ ? 1 : 0);
    }

private:
    St stream_;
    Fn fn_;
    std::optional<Item> item_;
    std::optional<Fut> answer_;
    bool done_skipping_ = false;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.skip_while(fn)`.
template <Stream St, class Fn>
auto skip_while(St stream, Fn fn) {
    return SkipWhile<St, Fn>(std::move(stream), std::move(fn));
}

}  // namespace pollen::stream
