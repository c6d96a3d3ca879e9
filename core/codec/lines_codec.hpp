#pragma once
/// codec::LinesCodec: frames text as lines, tokio-util's `LinesCodec`.
///
/// Decoding yields each line as a std::string without its "\n" or "\r\n".
/// A line must be UTF-8: one that is not is consumed and answered with
/// Err(codec::errc::invalid_utf8). A line longer than `max_length` bytes
/// (counting what precedes its '\n', so the '\r' of a "\r\n" counts, as in
/// Tokio) is answered with one Err(io::errc::max_line_length_exceeded) as
/// soon as the limit is passed, without waiting for its end; the decoder
/// then discards the rest of that line, up to and including its '\n',
/// storing none of it, and goes on with the next line. So the buffer never
/// holds more than about `max_length` bytes of a line. At end of stream,
/// `decode_eof` yields a last line that has no '\n' (nothing for a lone
/// "\r" or no bytes).
///
/// Unlike Tokio's `LinesCodec::new()`, which is unbounded, the default
/// maximum is 8 MiB (kDefaultMaxLength): no codec here lets a peer grow a
/// buffer without limit unless asked to (`LinesCodec(io::unlimited)`).
/// Encoding appends the text and a '\n' (the text is taken as it is).
/// It remembers how far it has searched, so each byte is scanned once
/// however the line arrives. A plain value; one thread at a time.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "../io/error.hpp"
#include "../result.hpp"
#include "bytes_mut.hpp"
#include "../detail/utf8.hpp"
#include "error.hpp"

namespace pollen::codec {

class LinesCodec {
public:
    using Item = std::string;
    using Error = std::error_code;
    static constexpr std::size_t kDefaultMaxLength = 8 * 1024 * 1024;

    LinesCodec() = default;
    /// Lines longer than `max_length` bytes are errors (Tokio's new_with_max_length).
    explicit LinesCodec(std::size_t max_length) : max_length_(max_length) {}

    std::size_t max_length() const { return max_length_; }

    Result<std::optional<std::string>, Error> decode(BytesMut& buf) {
        for (;;) {
            // One byte past the maximum is enough to tell the line is too long.
            const std::size_t limit = max_length_ == io::unlimited ? max_length_ : max_length_ + 1;
            const std::size_t read_to = std::min(limit, buf.size());
            const std::byte* first = buf.data() + next_index_;
            const std::byte* last = buf.data() + read_to;
            const std::byte* nl = std::find(first, last, std::byte{'\n'});
            const bool found = nl != last;
            if (discarding_) {
                if (found) {
                    buf.advance(static_cast<std::size_t>(nl - buf.data()) + 1);
                    discarding_ = false;
                    next_index_ = 0;
                    continue;
                }
                buf.advance(read_to);
                next_index_ = 0;
                if (buf.empty()) return Ok(std::optional<std::string>());
                continue;
            }
            if (found) {
                const std::size_t len = static_cast<std::size_t>(nl - buf.data());
                next_index_ = 0;
                auto line = to_line(buf.span().first(len));
                buf.advance(len + 1);  // consumed even when it is not UTF-8
                return line;
            }
            if (buf.size() > max_length_) {
                discarding_ = true;
                return Err(io::error(io::errc::max_line_length_exceeded));
            }
            next_index_ = read_to;
            return Ok(std::optional<std::string>());
        }
    }

    Result<std::optional<std::string>, Error> decode_eof(BytesMut& buf) {
        auto r = decode(buf);
        if (r.is_err() || r->has_value()) return r;
        next_index_ = 0;
        if (buf.empty() || buf.as_string_view() == "\r") return Ok(std::optional<std::string>());
        auto line = to_line(buf.span());
        buf.clear();
        return line;
    }

    Result<void, Error> encode(std::string_view line, BytesMut& dst) {
        dst.reserve(line.size() + 1);
        dst.extend_from_slice(line);
        dst.put_u8('\n');
        return Ok();
    }

private:
    /// The line without a trailing '\r', if it is UTF-8.
    static Result<std::optional<std::string>, Error> to_line(std::span<const std::byte> line) {
        if (!line.empty() && line.back() == std::byte{'\r'}) line = line.first(line.size() - 1);
        if (!pollen::detail::is_utf8(line)) return Err(error(errc::invalid_utf8));
        return Ok(std::optional<std::string>(std::in_place, reinterpret_cast<const char*>(line.data()), line.size()));
    }

    std::size_t max_length_ = kDefaultMaxLength;
    std::size_t next_index_ = 0;  // bytes of buf already searched for '\n'
    bool discarding_ = false;     // inside a line past max_length
};

}  // namespace pollen::codec
