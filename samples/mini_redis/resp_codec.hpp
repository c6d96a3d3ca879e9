#pragma once
// resp_codec.hpp: RESP2 (resp.hpp) as tokio-util codecs, for pollen's
// codec::Framed / FramedRead / FramedWrite:
//
//   - ServerCodec decodes requests (resp::Command) and encodes replies
//     (resp::Value): what mini_redis's Connection reads and writes;
//   - ClientCodec decodes replies (resp::Value) and encodes requests
//     (resp::Command): what the Client of client.hpp writes and reads.
//
// `decode` parses the bytes buffered so far. The server's requests go
// through a resp::CommandParser, which keeps its place across reads: each
// argument is taken off the front of the buffer as soon as it is whole, so a
// request that trickles in is parsed once (linear work, however small the
// reads), and the buffer never holds more than one argument and the header
// after it. The client's replies go through resp::parse_value; part of one
// is left in the buffer and the parser's `need` remembered: nothing is
// parsed again until that many bytes have arrived, so a 64 MiB value is not
// re-parsed after every read. A whole message is returned (the server skips
// empty requests, a blank line, `*0` or `*-1`, as Redis does). Bytes that are
// not RESP are a CodecError of errc::protocol_error carrying the parser's
// words ("Protocol error: invalid bulk length"); the stream cannot be
// resynchronised, so the caller answers and closes. At end of stream a
// partial message is dropped without an error: the peer left in the middle
// of it, and there is no one to tell.
//
// Memory is bounded by the resp::Limits: a length over a limit is an error
// as soon as its header is read, before any of its bytes are buffered, and
// the buffer grows only as bytes arrive (FramedRead doubles it), never to a
// size a header announces: a client that declares a 512 MiB bulk string and
// sends nothing costs nothing. Once a message larger than 64 KiB has been
// consumed and nothing else is buffered, its storage is given back. A
// ServerCodec given a QueryBuffers also counts what it holds (the buffer and
// the arguments of the request in progress) against Redis's
// client-query-buffer-limit and a total across clients, and past either
// fails with errc::query_buffer_limit (the server closes that client
// without a reply, as Redis does).
//
// Encoding appends the RESP bytes straight into the write buffer and cannot
// fail. Codecs are plain values, one per connection; one thread at a time
// (a QueryBuffers is shared, thread-safe).
#include <pollen.hpp>

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

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

/// The query buffers of every client of a server together (Redis's
/// client-query-buffer-limit, per client, and a total across clients):
/// each ServerCodec given one adds what it holds, its read buffer and the
/// arguments of the request in progress, and fails with
/// errc::query_buffer_limit when a read takes its own share past `per_client`
/// or the sum past `total` (0: no total). The limits may change at any time
/// (CONFIG SET). Thread-safe; it must outlive the codecs that use it.
struct QueryBuffers {
    std::atomic<std::size_t> per_client{std::size_t{1} << 30};
    std::atomic<std::size_t> total{0};
    std::atomic<std::size_t> used{0};  ///< what the codecs hold now
};

/// The server's side: requests in, replies out. Requests are parsed by a
/// resp::CommandParser that keeps its place across reads: the arguments of
/// a request are taken off the read buffer as they arrive, so a request
/// that comes in many reads is parsed once, and the buffer holds at most one
/// argument at a time.
class ServerCodec {
public:
    using Item = resp::Command;
    using Error = CodecError;
    using Decoded = pollen::Result<std::optional<resp::Command>, CodecError>;

    explicit ServerCodec(const resp::Limits& limits = {}, QueryBuffers* buffers = nullptr)
        : parser_(limits), buffers_(buffers) {}
    ServerCodec(ServerCodec&& o) noexcept
        : parser_(std::move(o.parser_)), buffers_(o.buffers_), held_(std::exchange(o.held_, 0)), need_(o.need_) {}
    ServerCodec& operator=(ServerCodec&&) = delete;
    ~ServerCodec() { (void)account(0); }

    const resp::Limits& limits() const { return parser_.limits(); }
    const resp::CommandParser& parser() const { return parser_; }
    /// The query buffer bytes this codec holds, as last counted.
    std::size_t held() const { return held_; }

    Decoded decode(pollen::codec::BytesMut& src) {
        if (!account(src.size() + parser_.pending_bytes())) {
            // The client is closed now: its share is no one's limit any more.
            (void)account(0);
            return pollen::Err(CodecError(errc::query_buffer_limit, "closing client that reached max query buffer length"));
        }
        for (;;) {
            if (src.empty() || src.size() < need_) return pollen::Ok(std::optional<resp::Command>());
            resp::CommandParser::Step step = parser_.parse(src.as_string_view());
            if (step.status == resp::CommandParser::Step::Status::Error)
                return pollen::Err(CodecError(errc::protocol_error, std::move(step.error)));
            src.advance(step.consumed);
            if (step.status == resp::CommandParser::Step::Status::Incomplete) {
                need_ = step.need;
                (void)account(src.size() + parser_.pending_bytes());  // smaller: the arguments moved
                return pollen::Ok(std::optional<resp::Command>());
            }
            need_ = 0;
            if (src.empty() && src.capacity() > kKeptCapacity)
                src = pollen::codec::BytesMut::with_capacity(kInitialCapacity);  // one big SET is no reason to keep 64 MiB
            resp::Command command = parser_.take();
            (void)account(src.size());
            if (command.args.empty()) continue;  // a blank line, *0 or *-1: skipped, as Redis does
            return pollen::Ok(std::optional<resp::Command>(std::move(command)));
        }
    }

    Decoded decode_eof(pollen::codec::BytesMut& src) {
        Decoded r = decode(src);
        if (r.is_err() || r->has_value()) return r;
        src.clear();
        parser_.reset();
        need_ = 0;
        (void)account(0);
        return r;
    }

    /// Gives a decoded request's arguments back once they are used, so that
    /// the next requests reuse their storage instead of allocating.
    void recycle(std::vector<std::string>&& args) { parser_.recycle(std::move(args)); }

    pollen::Result<void, CodecError> encode(const resp::Value& reply, pollen::codec::BytesMut& dst) {
        detail::BytesOut out{dst};
        resp::append_value(out, reply);
        return pollen::Ok();
    }

private:
    static constexpr std::size_t kInitialCapacity = 8 * 1024;
    static constexpr std::size_t kKeptCapacity = 64 * 1024;

    /// Counts `now` bytes as this codec's; false if that passes a limit.
    bool account(std::size_t now) {
        if (!buffers_ || now == held_) return true;
        const std::size_t before = std::exchange(held_, now);
        if (now < before) {
            buffers_->used.fetch_sub(before - now, std::memory_order_relaxed);
            return true;
        }
        const std::size_t sum = buffers_->used.fetch_add(now - before, std::memory_order_relaxed) + (now - before);
        const std::size_t total = buffers_->total.load(std::memory_order_relaxed);
        return now <= buffers_->per_client.load(std::memory_order_relaxed) && (total == 0 || sum <= total);
    }

    resp::CommandParser parser_;
    QueryBuffers* buffers_;
    std::size_t held_ = 0;  ///< counted in buffers_->used
    std::size_t need_ = 0;  ///< the parser's "come back with this many bytes"
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
