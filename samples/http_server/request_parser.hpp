#pragma once
// request_parser: recognises one HTTP/1.1 request head at the front of a
// byte buffer. Pure: no I/O, no allocation beyond the returned strings, no
// pollen, only the C++ standard library, so a fuzzer can call it directly.
//
// Contract of `parse_request(buffered, limits)`:
//   - `buffered` is every byte received on the connection that has not been
//     consumed yet (a prefix of the stream); it may be empty, hold part of a
//     head, exactly one head, or a head followed by body bytes and further
//     pipelined requests. Any byte values may appear.
//   - It returns exactly one of
//       NeedMore    the head is not complete yet and nothing seen so far is
//                   wrong; call again with more bytes. Only returned while
//                   buffered.size() < limits.max_head.
//       Request     a complete, valid head; `consumed` is its length in
//                   bytes (blank line included, leading empty lines too), so
//                   the body, if any, starts at buffered[consumed].
//       ParseError  the request is unacceptable; `status` is the HTTP status
//                   to answer with (400, 413, 431, 501 or 505) and the
//                   connection must be closed after that answer.
//   - It never reads outside `buffered`, never throws except std::bad_alloc,
//     and its result depends only on its arguments: calling it again with a
//     longer buffer that starts with the same bytes gives the same Request or
//     ParseError (errors are reported as soon as the offending line is whole).
//   - The Request's strings are copies: they stay valid after the buffer changes.
//
// Incremental: a `RequestParser` keeps how far it got (the lines already
// judged, and how far the search for the next line end went), so a head that
// arrives a byte at a time costs time linear in its length, not quadratic.
// `parse_request` is one fresh parser's first call: the same contract.
//
// What it checks (RFC 9112): `method SP target SP HTTP/1.x` with single
// spaces, a token for the method and visible ASCII for the target; header
// lines `name: value` with a token name, no space before the colon, no
// obsolete line folding and no control characters in the value; Host present
// exactly once in HTTP/1.1; Content-Length digits only, repeated copies equal;
// Transfer-Encoding is refused (501), as is a head longer than max_head (431)
// or a body longer than max_body (413). Lines may end in CRLF or a bare LF;
// empty lines before the request line are skipped. What the method and
// target *mean* is left to the caller.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace http_server {

struct Limits {
    std::size_t max_head = 8 * 1024;     ///< request line + headers + blank line
    std::uint64_t max_body = 1 << 20;    ///< the largest Content-Length accepted
    std::size_t max_headers = 100;       ///< header lines in one head
};

struct NeedMore {};

struct Request {
    std::string method;   ///< e.g. "GET", case-sensitive as sent
    std::string target;   ///< the request target exactly as sent, e.g. "/a%20b?q=1"
    int minor_version = 1;  ///< HTTP/1.<minor_version>: 0 or 1
    std::vector<std::pair<std::string, std::string>> headers;  ///< in order; values trimmed
    bool keep_alive = true;           ///< false: close the connection after answering
    std::uint64_t content_length = 0; ///< body bytes that follow the head
    std::size_t consumed = 0;         ///< bytes of the head at the front of the buffer

    /// The first header with this name (ASCII case-insensitive), if any.
    std::optional<std::string_view> header(std::string_view name) const;
};

struct ParseError {
    int status = 400;
    std::string reason;  ///< a short explanation for logs, not for the client
};

using ParseOutcome = std::variant<NeedMore, Request, ParseError>;

/// The parser of one connection's requests, one after the other. `parse`
/// has parse_request's contract, and remembers its progress between calls:
/// each call's `buffered` must start with the bytes the previous call saw
/// (more may follow). After it returned a Request (whose `consumed` bytes the
/// caller then removes) or a ParseError, it starts over: the next call's
/// buffer begins with the next request. A plain value; one thread at a time.
class RequestParser {
public:
    explicit RequestParser(Limits limits = {}) : limits_(limits) {}

    ParseOutcome parse(std::string_view buffered);

    /// Bytes looked at so far, over every call: each byte of the stream is
    /// looked at a bounded number of times (tests hold the parser to that).
    std::uint64_t bytes_scanned() const { return scanned_; }

private:
    enum class Stage { kLeadingLines, kRequestLine, kHeaders };

    ParseOutcome finish();
    void start_over();

    Limits limits_;
    Stage stage_ = Stage::kLeadingLines;
    std::size_t pos_ = 0;   ///< the start of the first line not judged yet
    std::size_t scan_ = 0;  ///< how far the search for that line's end went
    Request req_;           ///< what the judged lines said
    std::uint64_t scanned_ = 0;
};

ParseOutcome parse_request(std::string_view buffered, const Limits& limits = {});

/// ASCII case-insensitive comparison (header names, Connection options).
bool iequals(std::string_view a, std::string_view b);

}  // namespace http_server
