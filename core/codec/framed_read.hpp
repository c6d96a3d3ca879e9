#pragma once
/// codec::FramedRead<R, D>: the frames of a reader as a Stream, tokio-util's
/// `codec::FramedRead`.
///
/// A Stream of `Result<D::Item, D::Error>` (with StreamExt's methods). Its
/// poll_next calls the decoder on the bytes it holds and reads from `R`
/// only when the decoder wants more: a read that brought three frames
/// yields three items without another read. Reads go into the read buffer
/// (8 KiB at first; the decoder bounds how far it grows). At end of stream
/// it calls `decode_eof` until that has no frame, then ends. A read or
/// decode error is yielded as an Err item and the stream then ends (a poll
/// after that end starts reading again, as in Tokio: a LinesCodec then goes
/// on after an over-long line).
///
/// `R` is the reader (owned) or a reference to it (borrowed): the deduction
/// guide makes `FramedRead(stream, codec)` borrow an lvalue and own an
/// rvalue. Woken by whatever wakes the reader. It may be moved (nothing in
/// it is address-bound) if `R` may. Destroying it mid-way drops the bytes
/// read but not yet decoded (a partial frame is lost).

#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include "../io/async_read.hpp"
#include "../stream/stream_ext.hpp"
#include "bytes_mut.hpp"
#include "decoder.hpp"
#include "detail/framed_impl.hpp"

namespace pollen::codec {

template <class R, class D>
    requires io::AsyncRead<std::remove_reference_t<R>> && Decoder<D>
class FramedRead : public StreamExt<FramedRead<R, D>> {
    using Inner = std::remove_reference_t<R>;

public:
    using Item = Result<typename D::Item, typename D::Error>;

    /// `capacity`: the read buffer's first size (8 KiB by default).
    FramedRead(R inner, D decoder, std::size_t capacity = detail::kInitialCapacity)
        : inner_(std::forward<R>(inner)), decoder_(std::move(decoder)), state_(capacity) {}

    Poll<std::optional<Item>> poll_next(Context& cx) {
        return detail::poll_next_frame(cx, inner_, decoder_, state_);
    }

    Inner& get_mut() { return inner_; }
    const Inner& get_ref() const { return inner_; }
    /// The reader; bytes read but not yet decoded are lost (see read_buffer).
    R into_inner() && { return std::forward<R>(inner_); }
    D& decoder_mut() { return decoder_; }
    const D& decoder() const { return decoder_; }
    /// The bytes read and not yet decoded.
    const BytesMut& read_buffer() const { return state_.buffer; }
    BytesMut& read_buffer_mut() { return state_.buffer; }

private:
    R inner_;
    D decoder_;
    detail::ReadFrame state_;
};

template <class R, class D>
    requires io::AsyncRead<std::remove_reference_t<R>> && Decoder<D>
FramedRead(R&&, D) -> FramedRead<R, D>;
template <class R, class D>
    requires io::AsyncRead<std::remove_reference_t<R>> && Decoder<D>
FramedRead(R&&, D, std::size_t) -> FramedRead<R, D>;

}  // namespace pollen::codec
