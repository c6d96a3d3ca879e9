#pragma once
/// stream::Buffered<St>: futures-rs's `StreamExt::buffered`. For a stream
/// whose items are futures: takes futures from the stream while fewer than
/// `n` are in flight (including outputs held back waiting for their turn),
/// runs them concurrently, and yields their outputs in the order the futures
/// came. Only woken futures are polled (it stands on FuturesOrdered). The
/// inner stream is destroyed as soon as it ends; the adapter ends once it
/// has and every output is out. It wakes when the inner stream or any
/// running future does; destroying it mid-way destroys the inner stream,
/// then every running future. `n` must be at least 1.

#include <cassert>
#include <cstddef>
#include <optional>
#include <utility>

#include "futures_ordered.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St>
class Buffered : public StreamExt<Buffered<St>> {
    using Fut = item_t<St>;
    static_assert(Future<Fut>, "pollen::stream::buffered: the stream's items must be futures");

public:
    using Item = unit_if_void_t<output_t<Fut>>;

    Buffered(St stream, std::size_t n) : stream_(std::in_place, std::move(stream)), max_(n) {
        assert(n > 0 && "pollen::stream::buffered: n must be at least 1");
    }

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        while (stream_ && in_flight_.len() < max_) {
            auto p = stream_->poll_next(cx);
            if (p.is_pending()) break;
            auto fut = p.take();
            if (!fut) {
                stream_.reset();
                break;
            }
            in_flight_.push_back(std::move(*fut));
        }
        auto p = in_flight_.poll_next(cx);
        if (p.is_ready() && p.value()) return p;
        if (!stream_ && in_flight_.is_empty()) return detail::ready_none<Item>();
        return pollen::pending;
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const {
        auto inner = stream_ ? pollen::stream::size_hint(*stream_) : detail::hint_ended();
        return detail::hint_plus(inner, in_flight_.len());
    }

private:
    FuturesOrdered<Fut> in_flight_;
    std::optional<St> stream_;
    std::size_t max_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.buffered(n)`.
template <Stream St>
auto buffered(St stream, std::size_t n) {
    return Buffered<St>(std::move(stream), n);
}

}  // namespace pollen::stream
