#pragma once
/// codec::LengthDelimitedCodec: frames prefixed by their length,
/// tokio-util's `length_delimited` module.
///
/// By default a frame is a 4-byte big-endian length followed by that many
/// bytes; `LengthDelimitedCodec::builder()` describes other headers:
///
///     auto codec = codec::LengthDelimitedCodec::builder()
///                      .length_field_offset(1)   // bytes before the length field
///                      .length_field_length(2)   // 1..8 bytes
///                      .length_adjustment(-3)    // added to the field to get the frame length
///                      .num_skip(0)              // header bytes dropped (default: offset + field length)
///                      .little_endian()
///                      .max_frame_length(64 * 1024)
///                      .new_codec();
///
/// Decoding waits for the header, reads the length field at its offset,
/// adds `length_adjustment`, drops the first `num_skip` bytes and then
/// yields the next `length` bytes as one BytesMut (so a frame may keep part
/// of the header, with num_skip smaller than the header). Encoding appends
/// the length field (the frame's size minus `length_adjustment`; the
/// offset bytes, if any, are the caller's) and the frame.
///
/// `max_frame_length` (8 MiB by default, lowered to what the length field
/// can express) bounds the frame either way: a header announcing a longer
/// frame is Err(codec::errc::frame_too_big), "frame size too big", as soon
/// as the header arrives, before any of the frame is buffered; encoding a
/// longer frame is the same error with nothing written. A length that goes
/// below 0 or overflows with the adjustment is Err(codec::errc::length_overflow).
/// After a decode error the codec is not usable on that stream (the header
/// stays in the buffer). A plain value; one thread at a time.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include "../result.hpp"
#include "bytes_mut.hpp"
#include "error.hpp"
#include "framed.hpp"
#include "framed_read.hpp"
#include "framed_write.hpp"

namespace pollen::codec {

class LengthDelimitedCodec;

namespace length_delimited {

/// The header layout and limits of a LengthDelimitedCodec (tokio-util's
/// `length_delimited::Builder`). Setters chain; `new_codec()` makes a codec.
class Builder {
public:
    static constexpr std::size_t kDefaultMaxFrameLength = 8 * 1024 * 1024;

    /// The length field is most significant byte first (the default).
    Builder& big_endian() { big_endian_ = true; return *this; }
    Builder& little_endian() { big_endian_ = false; return *this; }
    Builder& native_endian() { big_endian_ = std::endian::native == std::endian::big; return *this; }
    /// Longest frame accepted or sent (8 MiB by default).
    Builder& max_frame_length(std::size_t n) { max_frame_length_ = n; return *this; }
    /// Size of the length field: 1 to 8 bytes (4 by default); other values
    /// throw std::invalid_argument.
    Builder& length_field_length(std::size_t n) {
        if (n < 1 || n > 8) throw std::invalid_argument("pollen::codec: length_field_length must be 1..8");
        length_field_length_ = n;
        return *this;
    }
    /// Bytes of header before the length field (0 by default).
    Builder& length_field_offset(std::size_t n) { length_field_offset_ = n; return *this; }
    /// Added to the length field's value to give the frame's length (0 by default).
    Builder& length_adjustment(std::ptrdiff_t n) { length_adjustment_ = n; return *this; }
    /// Header bytes dropped before the frame (offset + field length by default).
    Builder& num_skip(std::size_t n) { num_skip_ = n; return *this; }

    LengthDelimitedCodec new_codec() const;
    /// A FramedRead of this codec over `reader` (borrowed when an lvalue).
    template <class R>
    FramedRead<R, LengthDelimitedCodec> new_read(R&& reader) const;
    template <class W>
    FramedWrite<W, LengthDelimitedCodec> new_write(W&& writer) const;
    template <class T>
    Framed<T, LengthDelimitedCodec> new_framed(T&& io) const;

private:
    friend class pollen::codec::LengthDelimitedCodec;

    std::size_t head_len() const { return length_field_offset_ + length_field_length_; }
    std::size_t skip() const { return num_skip_.value_or(head_len()); }
    /// The largest value the length field can hold.
    std::uint64_t max_field_value() const {
        return length_field_length_ == 8 ? std::numeric_limits<std::uint64_t>::max()
                                         : (std::uint64_t{1} << (8 * length_field_length_)) - 1;
    }
    /// max_frame_length, lowered to the longest frame the field can announce.
    std::size_t effective_max() const {
        const std::uint64_t field = max_field_value();
        std::uint64_t most;
        if (length_adjustment_ >= 0) {
            const auto adj = static_cast<std::uint64_t>(length_adjustment_);
            most = field > std::numeric_limits<std::uint64_t>::max() - adj ? std::numeric_limits<std::uint64_t>::max()
                                                                          : field + adj;
        } else {
            const auto adj = static_cast<std::uint64_t>(-(length_adjustment_ + 1)) + 1;
            most = field < adj ? 0 : field - adj;
        }
        return static_cast<std::size_t>(std::min<std::uint64_t>(max_frame_length_, most));
    }

    std::size_t max_frame_length_ = kDefaultMaxFrameLength;
    std::size_t length_field_length_ = 4;
    std::size_t length_field_offset_ = 0;
    std::ptrdiff_t length_adjustment_ = 0;
    std::optional<std::size_t> num_skip_;
    bool big_endian_ = true;
};

}  // namespace length_delimited

class LengthDelimitedCodec {
public:
    using Item = BytesMut;
    using Error = std::error_code;

    /// A 4-byte big-endian length, then the frame; frames up to 8 MiB.
    LengthDelimitedCodec() : LengthDelimitedCodec(length_delimited::Builder()) {}
    static length_delimited::Builder builder() { return {}; }

    std::size_t max_frame_length() const { return max_; }
    void set_max_frame_length(std::size_t n) {
        builder_.max_frame_length(n);
        max_ = builder_.effective_max();
    }

    Result<std::optional<BytesMut>, Error> decode(BytesMut& src) {
        if (!frame_len_) {
            const std::size_t need = std::max(builder_.head_len(), builder_.skip());
            if (src.size() < need) return Ok(std::optional<BytesMut>());
            const std::uint64_t field = read_field(src);
            std::uint64_t n;
            if (builder_.length_adjustment_ >= 0) {
                const auto adj = static_cast<std::uint64_t>(builder_.length_adjustment_);
                if (field > std::numeric_limits<std::uint64_t>::max() - adj) return Err(error(errc::length_overflow));
                n = field + adj;
            } else {
                const auto adj = static_cast<std::uint64_t>(-(builder_.length_adjustment_ + 1)) + 1;
                if (field < adj) return Err(error(errc::length_overflow));
                n = field - adj;
            }
            if (n > max_) return Err(error(errc::frame_too_big));
            src.advance(builder_.skip());
            frame_len_ = static_cast<std::size_t>(n);
            // The size is known now: make room for the frame once.
            src.reserve(*frame_len_ - std::min(*frame_len_, src.size()));
        }
        if (src.size() < *frame_len_) return Ok(std::optional<BytesMut>());
        BytesMut frame = src.split_to(*frame_len_);
        frame_len_.reset();
        return Ok(std::optional<BytesMut>(std::move(frame)));
    }

    Result<void, Error> encode(std::span<const std::byte> frame, BytesMut& dst) {
        if (frame.size() > max_) return Err(error(errc::frame_too_big));
        std::uint64_t n = frame.size();
        const std::ptrdiff_t adj = builder_.length_adjustment_;
        if (adj >= 0) {
            if (n < static_cast<std::uint64_t>(adj)) return Err(error(errc::length_overflow));
            n -= static_cast<std::uint64_t>(adj);
        } else {
            n += static_cast<std::uint64_t>(-(adj + 1)) + 1;
        }
        if (n > builder_.max_field_value()) return Err(error(errc::frame_too_big));
        dst.reserve(builder_.length_field_length_ + frame.size());
        if (builder_.big_endian_) dst.put_uint(n, builder_.length_field_length_);
        else dst.put_uint_le(n, builder_.length_field_length_);
        dst.extend_from_slice(frame);
        return Ok();
    }
    Result<void, Error> encode(std::string_view frame, BytesMut& dst) {
        return encode(std::as_bytes(std::span(frame.data(), frame.size())), dst);
    }

private:
    friend class length_delimited::Builder;
    explicit LengthDelimitedCodec(const length_delimited::Builder& b) : builder_(b), max_(b.effective_max()) {}

    std::uint64_t read_field(const BytesMut& src) const {
        const std::size_t len = builder_.length_field_length_;
        const std::byte* p = src.data() + builder_.length_field_offset_;
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < len; ++i) {
            const auto b = static_cast<std::uint64_t>(p[builder_.big_endian_ ? i : len - 1 - i]);
            v = (v << 8) | b;
        }
        return v;
    }

    length_delimited::Builder builder_;
    std::size_t max_;                       // builder_'s max, lowered to what the field can express
    std::optional<std::size_t> frame_len_;  // header seen, waiting for this many bytes
};

namespace length_delimited {
inline LengthDelimitedCodec Builder::new_codec() const { return LengthDelimitedCodec(*this); }
template <class R>
FramedRead<R, LengthDelimitedCodec> Builder::new_read(R&& reader) const {
    return FramedRead<R, LengthDelimitedCodec>(std::forward<R>(reader), new_codec());
}
template <class W>
FramedWrite<W, LengthDelimitedCodec> Builder::new_write(W&& writer) const {
    return FramedWrite<W, LengthDelimitedCodec>(std::forward<W>(writer), new_codec());
}
template <class T>
Framed<T, LengthDelimitedCodec> Builder::new_framed(T&& io) const {
    return Framed<T, LengthDelimitedCodec>(std::forward<T>(io), new_codec());
}
}  // namespace length_delimited

}  // namespace pollen::codec
