#pragma once
/// codec::Decoder: turns bytes into frames, tokio-util's `codec::Decoder`.
///
///     struct MyDecoder {
///         using Item = Frame;              // what one decode produces
///         using Error = MyError;           // constructible from std::error_code
///         Result<std::optional<Frame>, MyError> decode(codec::BytesMut& src);
///         // optional:
///         Result<std::optional<Frame>, MyError> decode_eof(codec::BytesMut& src);
///     };
///
/// `decode` looks at the bytes received so far, all in `src`:
/// - a whole frame is there: remove its bytes from `src` (advance,
///   split_to) and return Ok(frame); it is called again at once, so a buffer
///   holding several frames yields them all before anything more is read;
/// - not yet: return Ok(nullopt), leaving in `src` what it needs to see
///   again (it may keep a position of its own, as LinesCodec does, to avoid
///   scanning the same bytes twice, and may `reserve` room for the frame it
///   now knows the size of); FramedRead reads more and calls it again;
/// - the bytes are invalid: return Err; FramedRead yields it and ends.
/// A decoder must bound what it lets accumulate in `src` (a maximum frame
/// or line length, with a clear error past it): a peer that never finishes
/// a frame must not grow the buffer without limit.
///
/// `decode_eof` is called instead of `decode` once the reader has ended,
/// until it returns Ok(nullopt). The default (`codec::decode_eof(d, src)`,
/// used when the decoder has no member of that name) is Tokio's: `decode`,
/// and when that finds no frame while bytes remain, the error
/// codec::errc::bytes_remaining_on_stream ("bytes remaining on stream").
/// `Error` must be constructible from std::error_code: the reader's I/O
/// errors reach the caller as Error(ec). Decoders are plain objects, owned by
/// the FramedRead/Framed that uses them; one thread at a time.

#include <concepts>
#include <optional>
#include <system_error>

#include "../result.hpp"
#include "bytes_mut.hpp"
#include "error.hpp"

namespace pollen::codec {

template <class D>
concept Decoder = requires(D& d, BytesMut& src) {
    typename D::Item;
    typename D::Error;
    requires std::constructible_from<typename D::Error, std::error_code>;
    { d.decode(src) } -> std::same_as<Result<std::optional<typename D::Item>, typename D::Error>>;
};

/// What one decode produces: Ok(frame), Ok(nullopt) (need more), or Err.
template <Decoder D>
using DecodeResult = Result<std::optional<typename D::Item>, typename D::Error>;

/// A Decoder with its own end-of-stream handling.
template <class D>
concept DecoderWithEof = Decoder<D> && requires(D& d, BytesMut& src) {
    { d.decode_eof(src) } -> std::same_as<DecodeResult<D>>;
};

/// The decoder's `decode_eof`, or Tokio's default: `decode`, then an error
/// if no frame came out of bytes that remain.
template <Decoder D>
DecodeResult<D> decode_eof(D& decoder, BytesMut& src) {
    if constexpr (DecoderWithEof<D>) {
        return decoder.decode_eof(src);
    } else {
        DecodeResult<D> r = decoder.decode(src);
        if (r.is_err() || r->has_value() || src.empty()) return r;
        return Err(typename D::Error(error(errc::bytes_remaining_on_stream)));
    }
}

}  // namespace pollen::codec
