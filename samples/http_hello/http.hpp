#pragma once
// The HTTP/1.1 side of http_hello, with no I/O in it: recognising one request
// head at the front of a buffer, and writing a response. Kept apart from the
// connection's state machine so each can be read (and tested) alone.

#include <cstddef>
#include <string>
#include <string_view>

namespace http_hello {

/// The largest request head (request line + headers + blank line) accepted;
/// a longer one is answered with 431 and the connection is closed.
inline constexpr std::size_t kMaxHead = 8 * 1024;
/// The largest request body skipped over; a larger one gets 413 and a close.
inline constexpr std::size_t kMaxBody = 1024 * 1024;

struct Parsed {
    enum class Kind { Incomplete, Complete, Invalid };
    Kind kind = Kind::Incomplete;
    /// Complete: 200, or 405 for a method other than GET/HEAD.
    /// Invalid: 400, 413, 431 or 501 (the connection must close after it).
    int status = 0;
    std::size_t head_len = 0;        ///< bytes of the head, blank line included
    std::size_t content_length = 0;  ///< body bytes that follow the head
    bool keep_alive = true;          ///< false: close after answering
    bool head_only = false;          ///< a HEAD request: no body in the answer
};

/// Looks at the request at the front of `buf` (a prefix of the stream).
Parsed parse_request(std::string_view buf);

/// Appends the response for `status` ("Hello, World!" for 200).
void append_response(std::string& out, int status, bool head_only, bool close);

}  // namespace http_hello
