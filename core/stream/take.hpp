#pragma once
/// stream::Take<St>: futures-rs's `StreamExt::take`. The first `n` items of
/// the inner stream, then the end. The inner stream is destroyed as soon as
/// it is no longer needed: right after the n-th item comes out, when it ends
/// early, or at once for `take(0)` (never polled). It wakes whenever the
/// inner stream does; destroying a Take mid-way destroys the inner stream.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>

#include "stream_ext.hpp"

namespace pollen::stream {

template <class St>
class Take : public StreamExt<Take<St>> {
public:
    using Item = item_t<St>;

    Take(St stream, std::size_t n) : remaining_(n) {
        if (n > 0) stream_.emplace(std::move(stream));
    }

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        if (!stream_) return detail::ready_none<Item>();
        auto p = stream_->poll_next(cx);
        if (p.is_pending()) return pollen::pending;
        auto item = p.take();
        if (!item || --remaining_ == 0) stream_.reset();
        if (!item) return detail::ready_none<Item>();
        return detail::ready_some<Item>(std::move(*item));
    }

    /// True once the n items came out or the inner stream ended.
    bool is_terminated() const { return !stream_; }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const {
        if (!stream_) return detail::hint_ended();
        auto [lower, upper] = pollen::stream::size_hint(*stream_);
        return {std::min(lower, remaining_), upper && *upper < remaining_ ? *upper : remaining_};
    }

private:
    std::optional<St> stream_;
    std::size_t remaining_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.take(n)`.
template <Stream St>
auto take(St stream, std::size_t n) {
    return Take<St>(std::move(stream), n);
}

}  // namespace pollen::stream
