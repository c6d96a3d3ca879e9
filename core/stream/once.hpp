#pragma once
/// stream::Once<F>: futures-rs's `stream::once`, a stream of one item: the
/// output of a future (a void output becomes `Unit`), then the end. The
/// future is destroyed as soon as it completes; until then poll_next polls
/// it and wakes when it would. Destroying the stream mid-way destroys the
/// future.

#include <optional>
#include <type_traits>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class F>
class Once : public StreamExt<Once<F>> {
    static_assert(Future<F>, "pollen::stream::once takes a future");

public:
    using Item = unit_if_void_t<output_t<F>>;

    explicit Once(F fut) : fut_(std::in_place, std::move(fut)) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        if (!fut_) return detail::ready_none<Item>();
        auto p = fut_->poll(cx);
        if (p.is_pending()) return pollen::pending;
        if constexpr (std::is_void_v<output_t<F>>) {
            fut_.reset();
            return detail::ready_some<Item>(Unit{});
        } else {
            Item out = p.take();
            fut_.reset();
            return detail::ready_some<Item>(std::move(out));
        }
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const { return fut_ ? SizeHint{1, 1} : detail::hint_ended(); }

private:
    std::optional<F> fut_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// A stream of the one output of `fut`.
template <Future F>
Once<F> once(F fut) {
    return Once<F>(std::move(fut));
}

}  // namespace pollen::stream
