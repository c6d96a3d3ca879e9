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

#include "detail/buffered_core.hpp"
#include "futures_ordered.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St>
class Buffered : public StreamExt<Buffered<St>> {
    using Fut = item_t<St>;
    static_assert(Future<Fut>, "pollen::stream::buffered: the stream's items must be futures");
    using Core = detail::BufferedCore<St, FuturesOrdered<Fut>, &FuturesOrdered<Fut>::push_back>;

public:
    using Item = typename Core::Item;

    Buffered(St stream, std::size_t n) : core_(std::move(stream), n) {
        assert(n > 0 && "pollen::stream::buffered: n must be at least 1");
    }

    Poll<std::optional<Item>> poll_next(Context& cx) { return core_.poll_next(cx); }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const { return core_.size_hint(); }

private:
    Core core_;
};

/// Free-function form of `s.buffered(n)`.
template <Stream St>
auto buffered(St stream, std::size_t n) {
    return Buffered<St>(std::move(stream), n);
}

}  // namespace pollen::stream
