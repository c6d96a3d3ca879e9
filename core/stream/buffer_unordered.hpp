#pragma once
/// stream::BufferUnordered<St>: futures-rs's `StreamExt::buffer_unordered`.
/// For a stream whose items are futures: takes futures from the stream
/// while fewer than `n` are running, runs them concurrently in a
/// FuturesUnordered (only woken ones are polled), and yields their outputs
/// in completion order. The inner stream is destroyed as soon as it ends;
/// the adapter ends once it has and every future is done. It wakes when the
/// inner stream or any running future does; destroying it mid-way destroys
/// the inner stream, then every running future. `n` must be at least 1.

#include <cassert>
#include <cstddef>
#include <optional>
#include <utility>

#include "futures_unordered.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St>
class BufferUnordered : public StreamExt<BufferUnordered<St>> {
    using Fut = item_t<St>;
    static_assert(Future<Fut>, "pollen::stream::buffer_unordered: the stream's items must be futures");

public:
    using Item = unit_if_void_t<output_t<Fut>>;

    BufferUnordered(St stream, std::size_t n) : stream_(std::in_place, std::move(stream)), max_(n) {
        assert(n > 0 && "pollen::stream::buffer_unordered: n must be at least 1");
    }

    Poll<std::optional<Item>> poll_next(Context& cx) {
        pin_.on_poll(this);
        while (stream_ && running_.len() < max_) {
            auto p = stream_->poll_next(cx);
            if (p.is_pending()) break;
            auto fut = p.take();
            if (!fut) {
                stream_.reset();
                break;
            }
            running_.push(std::move(*fut));
        }
        auto p = running_.poll_next(cx);
        if (p.is_ready() && p.value()) return p;
        if (!stream_ && running_.is_empty()) return detail::ready_none<Item>();
        return pollen::pending;
    }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const {
        auto inner = stream_ ? pollen::stream::size_hint(*stream_) : detail::hint_ended();
        return detail::hint_plus(inner, running_.len());
    }

private:
    FuturesUnordered<Fut> running_;
    std::optional<St> stream_;
    std::size_t max_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `s.buffer_unordered(n)`.
template <Stream St>
auto buffer_unordered(St stream, std::size_t n) {
    return BufferUnordered<St>(std::move(stream), n);
}

}  // namespace pollen::stream
