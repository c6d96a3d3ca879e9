#pragma once
// resp_codec.hpp: RESP2 (resp.hpp) as tokio-util codecs, for pollen's
// codec::Framed / FramedRead / FramedWrite:
//
//   - ServerCodec decodes requests (resp::Command) and encodes replies
//     (resp::Value): what mini_redis's Connection reads and writes;
//   - ClientCodec decodes replies (resp::Value) and encodes requests
//     (resp::Command): what the Client of client.hpp writes and reads.
//
// `decode` parses the bytes buffered so far with resp.hpp's pure parsers.
// A whole message is taken off the front of the buffer and returned (the
// server skips empty requests, a blank line, `*0` or `*-1`, as Redis does).
// Part of one is left there, and the parser's `need` remembered: nothing is
// parsed again until that many bytes have arrived, so a 64 MiB value is not
// re-parsed after every read. Bytes that are not RESP are a CodecError of
// errc::protocol_error carrying the parser's words ("Protocol error: invalid
// bulk length"); the stream cannot be resynchronised, so the caller answers
// and closes. At end of stream a partial message is dropped without an error:
// the peer left in the middle of it, and there is no one to tell.
//
// Memory is bounded by the resp::Limits: a length over a limit is an error
// as soon as its header is read, before any of its bytes are buffered, and
// the buffer grows only as bytes arrive (FramedRead doubles it), never to a
// size a header announces: a client that declares a 64 MiB bulk string and
// sends nothing costs nothing. Once a message larger than 64 KiB has been
// consumed and nothing else is buffered, its storage is given back.
//
// Encoding appends the RESP bytes straight into the write buffer and cannot
// fail. Codecs are plain values, one per connection; one thread at a time.
#include <pollen.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include "error.hpp"
#include "resp.hpp"

namespace mini_redis {

/// A codec's error: an I/O error of the stream (its code, and the code's
/// message), or a protocol error (errc::protocol_error) with the parser's
/// words in `message`. It converts to its code, so that `?` (POLLEN_*TRY)
/// in a function returning io::Result turns it into an io::Error, as Rust's
/// `From` would.
struct CodecError {
    std::error_code code;
    std::string message;

    explicit CodecError(std::error_code ec) : code(ec), message(ec.message()) {}
    CodecError(std::error_code ec, std::string text) : code(ec), message(std::move(text)) {}
    operator std::error_code() const { return code; }
};

namespace detail {

/// resp.hpp's encoders append to anything with `append(std::string_view)`.
struct BytesOut {
    pollen::codec::BytesMut& bytes;
    void append(std::string_view s) { bytes.extend_from_slice(s); }
};

/// The decoding both codecs share; `Parse` is resp::parse_command or resp::parse_value.
template <class Frame, resp::Parsed<Frame> (*Parse)(std::string_view, const resp::Limits&)>
class RespDecoder {
public:
    using Item = Frame;
    using Error = CodecError;
    using Decoded = pollen::Result<std::optional<Frame>, CodecError>;

    explicit RespDecoder(const resp::Limits& limits) : limits_(limits) {}
    const resp::Limits& limits() const { return limits_; }

    Decoded decode(pollen::codec::BytesMut& src) {
        for (;;) {
            if (src.empty() || src.size() < need_) return pollen::Ok(std::optional<Frame>());
            resp::Parsed<Frame> parsed = Parse(src.as_string_view(), limits_);
            if (parsed.incomplete()) {
                // The parser fails any message the limits do not allow long
                // before this; the net under it.
                if (src.size() >= limits_.max_message + limits_.max_line + 1024)
                    return pollen::Err(CodecError(errc::protocol_error, kTooLarge));
                need_ = parsed.need;
                return pollen::Ok(std::optional<Frame>());
            }
            need_ = 0;
            if (parsed.failed()) return pollen::Err(CodecError(errc::protocol_error, std::move(parsed.error)));
            src.advance(parsed.consumed);
            if (src.empty() && src.capacity() > kKeptCapacity)
                src = pollen::codec::BytesMut::with_capacity(kInitialCapacity);  // one big SET is no reason to keep 64 MiB
            if constexpr (std::is_same_v<Frame, resp::Command>) {
                if (parsed.value.args.empty()) continue;
            }
            return pollen::Ok(std::optional<Frame>(std::move(parsed.value)));
        }
    }

    Decoded decode_eof(pollen::codec::BytesMut& src) {
        Decoded r = decode(src);
        if (r.is_err() || r->has_value()) return r;
        src.clear();
        need_ = 0;
        return r;
    }

private:
    static constexpr std::size_t kInitialCapacity = 8 * 1024;
    static constexpr std::size_t kKeptCapacity = 64 * 1024;
    static constexpr const char* kTooLarge = std::is_same_v<Frame, resp::Command>
                                                 ? "Protocol error: request too large"
                                                 : "Protocol error: reply too large";

    resp::Limits limits_;
    std::size_t need_ = 0;  ///< the parser's "come back with this many bytes"
};

}  // namespace detail

/// The server's side: requests in, replies out.
class ServerCodec : public detail::RespDecoder<resp::Command, resp::parse_command> {
public:
    explicit ServerCodec(const resp::Limits& limits = {}) : RespDecoder(limits) {}

    pollen::Result<void, CodecError> encode(const resp::Value& reply, pollen::codec::BytesMut& dst) {
        detail::BytesOut out{dst};
        resp::append_value(out, reply);
        return pollen::Ok();
    }
};

/// The client's side: requests out, replies in.
class ClientCodec : public detail::RespDecoder<resp::Value, resp::parse_value> {
public:
    explicit ClientCodec(const resp::Limits& limits = {}) : RespDecoder(limits) {}

    pollen::Result<void, CodecError> encode(const resp::Command& request, pollen::codec::BytesMut& dst) {
        detail::BytesOut out{dst};
        resp::append_command(out, request.args);
        return pollen::Ok();
    }
};

}  // namespace mini_redis
