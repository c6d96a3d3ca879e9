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
    std::uint64_t content_length = 0;  ///< always sent, also for HEAD and errors
    bool close = false;                ///< adds `Connection: close`
    std::string_view location;         ///< adds `Location` when not empty (redirects)
};

/// "OK", "Not Found"... ("Unknown" for a status this server never sends).
std::string_view reason_phrase(int status);

/// Appends the status line and headers, blank line included. A 405 carries
/// `Allow: GET, HEAD`.
void append_head(std::string& out, const ResponseHead& head);

/// The text body of an error answer: "404 Not Found\n".
std::string error_body(int status);

}  // namespace http_server
