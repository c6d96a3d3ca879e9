#pragma once
/// stream::Then<St, Fn>: futures-rs's `StreamExt::then`. Each item is handed
/// to `fn(item)`, which returns a future; that future runs to completion
/// (one at a time, in item order) and its output is the next item (a void
/// output becomes `Unit`). The poll wakes when the running future or the
/// inner stream would. Each future is destroyed as soon as it completes;
/// destroying a Then mid-way destroys the running future, then the inner
/// stream.

#include <optional>
#include <type_traits>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class St, class Fn>
class Then : public StreamExt<Then<St, Fn>> {
    using Fut = std::invoke_result_t<Fn&, item_t<St>&&>;
    static_assert(Future<Fut>, "pollen::stream::then: the closure must return a future");

public:
    using Item = unit_if_void_t<output_t<Fut>>;

    Then(St stream, Fn fn) : stream_(std::move(stream)), fn_(std::move(fn)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        if (!fut_) {
            auto p = stream_.poll_next(cx);
            if (p.is_pending()) return pollen::pending;
            auto item = p.take();
            if (!item) return detail::ready_none<Item>();
            fut_.emplace(std::invoke(fn_, std::move(*item)));
        }
        auto p = fut_->poll(cx);
        if (p.is_pending()) return pollen::pending;
        if constexpr (std::is_void_v<output_t<Fut>>) {
            fut_.reset();
            return detail::ready_some<Item>(Unit{});
        } else {
            Item out = p.take();
            fut_.reset();
            return detail::ready_some<Item>(std::move(out));
        }
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const { return detail::hint_plus(pollen::stream::size_hint(stream_), fut_ ? 1 : 0); }

private:
    St stream_;
    Fn fn_;
    std::optional<Fut> fut_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.then(fn)`.
template <Stream St, class Fn>
auto then(St stream, Fn fn) {
    return Then<St, Fn>(std::move(stream), std::move(fn));
}

}  // namespace pollen::stream
