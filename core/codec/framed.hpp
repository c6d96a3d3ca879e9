#pragma once
/// codec::Framed<T, C>: one stream that is both read and written through a
/// codec, tokio-util's `codec::Framed`: a Stream of `Result<C::Item,
/// C::Error>` (as FramedRead) and a Sink of what `C` encodes (as
/// FramedWrite), over a `T` that is AsyncRead and AsyncWrite. The two
/// directions keep separate buffers and do not wait on each other: one task
/// may read frames while sending others, with the reading and writing each
/// woken by the stream's own read and write wakers.
///
/// `into_parts()` gives back the stream, the codec and both buffers
/// (bytes read but not yet decoded, encoded but not yet written), so a
/// protocol can switch codecs mid-stream (`from_parts`) or take the raw
/// stream back without losing bytes; `into_inner()` drops the buffers.
/// `T` is owned or a reference (borrowed), as for FramedRead. It may be
/// moved if `T` may. Destroying it mid-frame drops both buffers: the
/// partial frame read so far and anything not yet written.

#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include "../io/async_read.hpp"
#include "../io/async_write.hpp"
#include "../stream/stream_ext.hpp"
#include "bytes_mut.hpp"
#include "decoder.hpp"
#include "detail/framed_impl.hpp"
#include "encoder.hpp"
#include "sink_ext.hpp"

namespace pollen::codec {

/// What a Framed is made of (tokio-util's FramedParts).
template <class T, class C>
struct FramedParts {
    T io;
    C codec;
    BytesMut read_buf;   // read, not yet decoded
    BytesMut write_buf;  // encoded, not yet written
};

template <class T, class C>
    requires io::AsyncRead<std::remove_reference_t<T>> && io::AsyncWrite<std::remove_reference_t<T>> &&
             Decoder<C>
class Framed : public StreamExt<Framed<T, C>>, public SinkExt<Framed<T, C>> {
    using Inner = std::remove_reference_t<T>;

public:
    using Item = Result<typename C::Item, typename C::Error>;
    using Error = typename C::Error;

    /// `capacity`: the read buffer's first size (8 KiB by default).
    Framed(T inner, C codec, std::size_t capacity = detail::kInitialCapacity)
        : inner_(std::forward<T>(inner)), codec_(std::move(codec)), read_(capacity) {}

    /// Picks up where another Framed (or a hand-made prefix of bytes) left off.
    static Framed from_parts(FramedParts<T, C>&& parts) {
        Framed f(std::forward<T>(parts.io), std::move(parts.codec), 0);
        f.read_ = detail::ReadFrame(std::move(parts.read_buf), detail::kInitialCapacity);
        // Bytes handed over may already hold a frame: decode before reading.
        f.read_.is_readable = !f.read_.buffer.empty();
        f.write_.buffer = std::move(parts.write_buf);
        return f;
    }

    // ---- Stream
    Poll<std::optional<Item>> poll_next(Context& cx) { return detail::poll_next_frame(cx, inner_, codec_, read_); }

    // ---- Sink
    Poll<Result<void, Error>> poll_ready(Context& cx) { return detail::poll_ready_frames<Error>(cx, inner_, write_); }
    template <class Frame>
        requires Encoder<C, Frame>
    Result<void, Error> start_send(Frame&& item) {
        return codec_.encode(std::forward<Frame>(item), write_.buffer);
    }
    Poll<Result<void, Error>> poll_flush(Context& cx) { return detail::poll_flush_frames<Error>(cx, inner_, write_); }
    Poll<Result<void, Error>> poll_close(Context& cx) { return detail::poll_close_frames<Error>(cx, inner_, write_); }

    std::size_t backpressure_boundary() const { return write_.backpressure_boundary; }
    void set_backpressure_boundary(std::size_t n) { write_.backpressure_boundary = n; }

    Inner& get_mut() { return inner_; }
    const Inner& get_ref() const { return inner_; }
    C& codec_mut() { return codec_; }
    const C& codec() const { return codec_; }
    const BytesMut& read_buffer() const { return read_.buffer; }
    BytesMut& read_buffer_mut() { return read_.buffer; }
    const BytesMut& write_buffer() const { return write_.buffer; }
    BytesMut& write_buffer_mut() { return write_.buffer; }

    /// The stream; both buffers are lost (see into_parts).
    T into_inner() && { return std::forward<T>(inner_); }
    /// The stream, the codec and both buffers.
    FramedParts<T, C> into_parts() && {
        return FramedParts<T, C>{std::forward<T>(inner_), std::move(codec_), std::move(read_.buffer),
                                 std::move(write_.buffer)};
    }

private:
    T inner_;
    C codec_;
    detail::ReadFrame read_;
    detail::WriteFrame write_;
};

template <class T, class C>
    requires io::AsyncRead<std::remove_reference_t<T>> && io::AsyncWrite<std::remove_reference_t<T>> && Decoder<C>
Framed(T&&, C) -> Framed<T, C>;
template <class T, class C>
    requires io::AsyncRead<std::remove_reference_t<T>> && io::AsyncWrite<std::remove_reference_t<T>> && Decoder<C>
Framed(T&&, C, std::size_t) -> Framed<T, C>;

}  // namespace pollen::codec
