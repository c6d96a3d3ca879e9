#pragma once
/// RequestCodec: http_server's requests as a codec::Decoder (tokio-util's
/// `Decoder`), for a codec::FramedRead over the client's stream: the
/// connection asks for the next request head and gets one, however the
/// bytes arrived (split anywhere, or several pipelined in one read).
///
/// `decode` hands the buffered bytes to the pure parser (request_parser.hpp),
/// which remembers how far it got: a head that arrives in many small reads
/// is scanned once, not once per read. It yields
/// - Ok(request) once a head is whole, with the head removed from the buffer;
/// - Ok(nullopt) while it is not (FramedRead reads more);
/// - Err(RequestError{status}) for a request to refuse (400, 413, 431, 501,
///   505): nothing after it can be trusted, so FramedRead ends there.
/// The buffer stays bounded: with max_head bytes buffered and no whole head,
/// the parser gives 431 instead of waiting for more.
///
/// A request's body (a Content-Length, at most max_body: the parser gives 413
/// past it) is read and dropped here, as its bytes arrive, and the next head
/// is looked for after it. The decoder is the one place that can do this:
/// only it knows where the next head starts, and FramedRead owns the buffer
/// and the reads (the connection, reaching around it, would need a second
/// reader of the same stream). Dropping as they arrive keeps a 1 MiB body
/// out of memory, and the answer goes out before the body is read (GET and
/// HEAD have no use for it). A server that wanted bodies would yield them as
/// frames of their own instead.
///
/// At end of stream (`decode_eof`) a partial head or body is dropped without
/// an error: the client left, and there is no one to answer. A plain value
/// (nothing to cancel), owned by its FramedRead; one thread at a time.
#include <pollen/core/codec/decoder.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <variant>

#include "request_parser.hpp"

namespace http_server {

/// Why no request came: the client sent one to refuse (`status`, the HTTP
/// status to answer with before closing), or reading failed (`io`; status 0).
struct RequestError {
    int status = 0;
    std::string reason;  ///< the parser's explanation, for logs, not for the client
    std::error_code io;

    explicit RequestError(std::error_code ec) : io(ec) {}
    explicit RequestError(ParseError e) : status(e.status), reason(std::move(e.reason)) {}
};

class RequestCodec {
public:
    using Item = Request;
    using Error = RequestError;
    using DecodeResult = pollen::Result<std::optional<Request>, RequestError>;

    explicit RequestCodec(Limits limits = {}) : parser_(limits) {}

    DecodeResult decode(pollen::codec::BytesMut& src) {
        drop_body(src);
        if (body_left_ > 0 || src.empty()) return pollen::Ok(std::optional<Request>());
        ParseOutcome outcome = parser_.parse(src.as_string_view());
        if (auto* err = std::get_if<ParseError>(&outcome)) return pollen::Err(RequestError(std::move(*err)));
        auto* req = std::get_if<Request>(&outcome);
        if (req == nullptr) return pollen::Ok(std::optional<Request>());  // NeedMore
        src.advance(req->consumed);
        body_left_ = req->content_length;
        // What came of the body already goes now: a connection whose buffer
        // is empty after its last answer is idle (see in_body).
        drop_body(src);
        return pollen::Ok(std::optional<Request>(std::move(*req)));
    }

    DecodeResult decode_eof(pollen::codec::BytesMut& src) { return decode(src); }

    /// True while the last request's body has not all arrived: the
    /// connection is inside a request even with nothing buffered.
    bool in_body() const { return body_left_ > 0; }
    /// Body bytes still to drop (the connection sees a slow body progress).
    std::uint64_t body_left() const { return body_left_; }
    /// The parser's work so far (RequestParser::bytes_scanned).
    std::uint64_t bytes_scanned() const { return parser_.bytes_scanned(); }

private:
    void drop_body(pollen::codec::BytesMut& src) {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, src.size()));
        src.advance(n);
        body_left_ -= n;
    }

    RequestParser parser_;
    std::uint64_t body_left_ = 0;  ///< body bytes still to drop
};

}  // namespace http_server
