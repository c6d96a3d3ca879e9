#pragma once
// response_parser: the client side of HTTP/1.1 framing, pure: the status
// line and headers of a response, and where its body ends (Content-Length,
// chunked, or the end of the connection).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace crawler {

struct ResponseHead {
    int status = 0;
    std::string content_type;                   ///< "" when absent
    std::string location;                       ///< "" when absent
    std::optional<std::uint64_t> content_length;
    bool chunked = false;                       ///< Transfer-Encoding ends in chunked
    std::size_t head_len = 0;                   ///< bytes up to and including the blank line
};

struct Incomplete {};
struct Malformed {
    std::string why;
};

/// The response head at the front of `buf`; Malformed once it is clearly not
/// HTTP, or longer than `max_head` without ending.
std::variant<Incomplete, ResponseHead, Malformed> parse_response_head(std::string_view buf,
                                                                      std::size_t max_head = 64 * 1024);

/// Decodes a chunked body (the bytes after the head); Incomplete until the
/// last chunk and the trailers' blank line are there.
std::variant<Incomplete, std::string, Malformed> decode_chunked(std::string_view body);

}  // namespace crawler
