#pragma once
/// stream::FilterMap<St, Fn>: futures-rs's `StreamExt::filter_map`. Each
/// item is handed to `fn(item)`, which answers a `std::optional<U>` or a
/// future of one; the values of the non-empty answers come out. The poll
/// wakes when the pending answer future or the inner stream would.
/// Destroying it mid-way destroys the pending answer future, then the inner
/// stream.

#include <optional>
#include <utility>

#include "detail/as_future.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St, class Fn>
class FilterMap : public StreamExt<FilterMap<St, Fn>> {
    using Fut = detail::call_future_t<Fn, item_t<St>&&>;
    using Answer = output_t<Fut>;

public:
    using Item = typename Answer::value_type;
    static_assert(std::is_same_v<Answer, std::optional<Item>>,
                  "pollen::stream::filter_map: the closure must answer an optional or a future of one");

    FilterMap(St stream, Fn fn) : stream_(std::move(stream)), fn_(std::move(fn)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        for (;;) {
            if (!answer_) {
                auto p = stream_.poll_next(cx);
                if (p.is_pending()) return pollen::pending;
                auto item = p.take();
                if (!item) return detail::ready_none<Item>();
                answer_.emplace(detail::call_as_future(fn_, std::move(*item)));
            }
            auto a = answer_->poll(cx);
            if (a.is_pending()) return pollen::pending;
            Answer out = a.take();
            answer_.reset();
            if (out) return detail::ready_some<Item>(std::move(*out));
        }
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const { return detail::hint_upper_only(pollen::stream::size_hint(stream_), answer_ ? 1 : 0); }

private:
    St stream_;
    Fn fn_;
    std::optional<Fut> answer_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.filter_map(fn)`.
template <Stream St, class Fn>
auto filter_map(St stream, Fn fn) {
    return FilterMap<St, Fn>(std::move(stream), std::move(fn));
}

}  // namespace pollen::stream
