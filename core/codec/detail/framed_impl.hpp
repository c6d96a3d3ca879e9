#pragma once
// The read and write halves that FramedRead, FramedWrite and Framed share
// (tokio-util's FramedImpl): the buffer and flags of each direction, and the
// poll functions that drive a codec over an AsyncRead / AsyncWrite.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>

#include "../../context.hpp"
#include "../../io/async_read.hpp"
#include "../../io/async_write.hpp"
#include "../../io/error.hpp"
#include "../../poll.hpp"
#include "../../stream/stream.hpp"
#include "../bytes_mut.hpp"
#include "../decoder.hpp"
#include "../encoder.hpp"

namespace pollen::codec::detail {

/// Tokio's INITIAL_CAPACITY: each direction's first buffer, and the write
/// side's default backpressure boundary.
inline constexpr std::size_t kInitialCapacity = 8 * 1024;

struct ReadFrame {
    explicit ReadFrame(std::size_t capacity = kInitialCapacity)
        : buffer(BytesMut::with_capacity(capacity)), min_read(std::max<std::size_t>(capacity / 2, 1)) {}
    ReadFrame(BytesMut buf, std::size_t capacity)
        : buffer(std::move(buf)), min_read(std::max<std::size_t>(capacity / 2, 1)) {}

    BytesMut buffer;
    // Room made before each read, so reads are not tiny once a partial frame
    // fills most of the buffer; half the initial capacity.
    std::size_t min_read;
    bool eof = false;          // the last read returned 0 bytes
    bool is_readable = false;  // the buffer has bytes decode has not seen
    bool has_errored = false;  // the last item was an error
};

struct WriteFrame {
    BytesMut buffer = BytesMut::with_capacity(kInitialCapacity);
    std::size_t backpressure_boundary = kInitialCapacity;
};

template <class D>
using FrameResult = Result<typename D::Item, typename D::Error>;

/// One poll_next of a framed reader (tokio-util's FramedImpl::poll_next).
/// Decodes from the buffer while it can; reads only when decode wants more;
/// at end of stream calls decode_eof until it has no frame, then ends.
/// After an error item the next poll ends the stream, and a poll after that
/// starts reading again, as in Tokio.
template <class R, Decoder D>
Poll<std::optional<FrameResult<D>>> poll_next_frame(Context& cx, R& io, D& decoder, ReadFrame& st) {
    using Item = FrameResult<D>;
    using Error = typename D::Error;
    auto some = [](Item item) { return pollen::detail::ready_some<Item>(std::move(item)); };
    auto fail = [&](Error e) {
        st.has_errored = true;
        return some(Item(Err(std::move(e))));
    };
    for (;;) {
        if (st.has_errored) {
            st.has_errored = false;
            st.is_readable = false;
            return pollen::detail::ready_none<Item>();
        }
        if (st.is_readable) {
            if (st.eof) {
                DecodeResult<D> r = codec::decode_eof(decoder, st.buffer);
                if (r.is_err()) return fail(std::move(r).error());
                if (!r->has_value()) {
                    st.is_readable = false;
                    return pollen::detail::ready_none<Item>();
                }
                return some(Item(Ok(std::move(**r))));
            }
            DecodeResult<D> r = decoder.decode(st.buffer);
            if (r.is_err()) return fail(std::move(r).error());
            if (r->has_value()) return some(Item(Ok(std::move(**r))));
            st.is_readable = false;
        }
        st.buffer.reserve(st.min_read);
        auto p = io.poll_read(cx, st.buffer.spare_capacity_mut());
        if (p.is_pending()) return pending;
        if (p.value().is_err()) return fail(Error(p.value().error()));
        const std::size_t n = *p.value();
        if (n == 0) {
            // Already at end of stream and decode_eof has had its say.
            if (st.eof) return pollen::detail::ready_none<Item>();
            st.eof = true;
        } else {
            st.buffer.advance_mut(n);
            st.eof = false;
        }
        st.is_readable = true;
    }
}

/// Writes the whole buffer out, then flushes the writer.
template <class Error, class W>
Poll<Result<void, Error>> poll_flush_frames(Context& cx, W& io, WriteFrame& st) {
    while (!st.buffer.empty()) {
        auto p = io.poll_write(cx, st.buffer.span());
        if (p.is_pending()) return pending;
        if (p.value().is_err()) return ready(Err(Error(p.value().error())));
        if (*p.value() == 0) return ready(Err(Error(io::error(io::errc::write_zero))));
        st.buffer.advance(*p.value());
    }
    auto f = io.poll_flush(cx);
    if (f.is_pending()) return pending;
    if (f.value().is_err()) return ready(Err(Error(f.value().error())));
    return ready(Ok());
}

/// Ready at once below the backpressure boundary; at or above it, only once
/// the buffer has been written out (tokio-util's poll_ready).
template <class Error, class W>
Poll<Result<void, Error>> poll_ready_frames(Context& cx, W& io, WriteFrame& st) {
    if (st.buffer.size() >= st.backpressure_boundary) return poll_flush_frames<Error>(cx, io, st);
    return ready(Ok());
}

/// Flushes, then shuts the writer down.
template <class Error, class W>
Poll<Result<void, Error>> poll_close_frames(Context& cx, W& io, WriteFrame& st) {
    auto f = poll_flush_frames<Error>(cx, io, st);
    if (f.is_pending() || f.value().is_err()) return f;
    auto s = io.poll_shutdown(cx);
    if (s.is_pending()) return pending;
    if (s.value().is_err()) return ready(Err(Error(s.value().error())));
    return ready(Ok());
}

}  // namespace pollen::codec::detail
