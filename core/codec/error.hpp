#pragma once
/// codec::errc: the errors the codecs of core/codec report, as
/// `std::error_code`s in pollen's "pollen.codec" category (tokio-util
/// reports them as `io::Error`s of kind InvalidData, InvalidInput or Other).
///
/// - `frame_too_big`: LengthDelimitedCodec met a length over its
///   max_frame_length (decoding) or was given such a frame (encoding).
/// - `length_overflow`: a length plus length_adjustment does not fit.
/// - `invalid_utf8`: LinesCodec received a line that is not UTF-8.
/// - `bytes_remaining_on_stream`: the stream ended inside a frame (the
///   default `decode_eof`).
/// LinesCodec's over-long line reuses io::errc::max_line_length_exceeded,
/// the error io::lines gives for the same condition. Plain values.

#include <string>
#include <system_error>
#include <type_traits>

namespace pollen::codec {

enum class errc {
    frame_too_big = 1,
    length_overflow,
    invalid_utf8,
    bytes_remaining_on_stream,
};

namespace detail {
class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "pollen.codec"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::frame_too_big: return "frame size too big";
            case errc::length_overflow: return "provided length would overflow after adjustment";
            case errc::invalid_utf8: return "unable to decode input as UTF-8";
            case errc::bytes_remaining_on_stream: return "bytes remaining on stream";
        }
        return "unknown pollen.codec error";
    }
    std::error_condition default_error_condition(int ev) const noexcept override {
        // So that callers who only know std::errc can classify these too.
        switch (static_cast<errc>(ev)) {
            case errc::frame_too_big: return std::errc::value_too_large;
            case errc::length_overflow: return std::errc::invalid_argument;
            case errc::invalid_utf8: return std::errc::illegal_byte_sequence;
            case errc::bytes_remaining_on_stream: return std::errc::io_error;
        }
        return {ev, *this};
    }
};
}  // namespace detail

/// The "pollen.codec" category (one object per program).
inline const std::error_category& codec_category() noexcept {
    static const detail::Category category;
    return category;
}

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), codec_category()}; }

/// A codec error as an io::Error: `codec::error(codec::errc::frame_too_big)`.
inline std::error_code error(errc e) noexcept { return make_error_code(e); }

}  // namespace pollen::codec

template <>
struct std::is_error_code_enum<pollen::codec::errc> : std::true_type {};
