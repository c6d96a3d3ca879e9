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

#include "detail/buffered_core.hpp"
#include "futures_unordered.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class St>
class BufferUnordered : public StreamExt<BufferUnordered<St>> {
    using Fut = item_t<St>;
    static_assert(Future<Fut>, "pollen::stream::buffer_unordered: the stream's items must be futures");
    using Core = detail::BufferedCore<St, FuturesUnordered<Fut>, &FuturesUnordered<Fut>::push>;

public:
    using Item = typename Core::Item;

    BufferUnordered(St stream, std::size_t n) : core_(std::move(stream), n) {
        assert(n > 0 && "pollen::stream::buffer_unordered: n must be at least 1");
    }

    Poll<std::optional<Item>> poll_next(Context& cx) { return core_.poll_next(cx); }

    /// Bounds on the items left (see size_hint.hpp).
    SizeHint size_hint() const { return core_.size_hint(); }

private:
    Core core_;
};

/// Free-function form of `s.buffer_unordered(n)`.
template <Stream St>
auto buffer_unordered(St stream, std::size_t n) {
    return BufferUnordered<St>(std::move(stream), n);
}

}  // namespace pollen::stream
