#pragma once
// response: writing a response head, and the small bodies of the error
// answers. Pure string work; the connection decides what to send.
#include <cstdint>
#include <string>
#include <string_view>

namespace http_server {

struct ResponseHead {
    int status = 200;
    std::string_view content_type = "text/plain; charset=utf-8";
    std::uint64_t content_length = 0;  ///< sent with every status but 304 (which never has a body), also for HEAD
    bool close = false;                ///< adds `Connection: close`
    bool keep_alive = false;           ///< adds `Connection: keep-alive` (an HTTP/1.0 client that asked to keep it)
    std::string_view location;         ///< adds `Location` when not empty (redirects)
    std::string_view date;             ///< `Date`, when not empty (every answer of the connection has one)
    std::string_view last_modified;    ///< these four when not empty: a file's validators and range
    std::string_view etag;
    std::string_view content_range;
    bool accept_ranges = false;  ///< adds `Accept-Ranges: bytes` (a file: ranges of it are served)
};

/// "OK", "Not Found"... ("Unknown" for a status this server never sends).
std::string_view reason_phrase(int status);

/// Appends the status line and headers, blank line included. A 405 carries
/// `Allow: GET, HEAD`. A 304 carries no Content-Type or Content-Length
/// (nginx's form: the validators, not a description of an absent body).
void append_head(std::string& out, const ResponseHead& head);

/// The text body of an error answer: "404 Not Found\n".
std::string error_body(int status);

}  // namespace http_server
