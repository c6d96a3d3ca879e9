#pragma once
// conditional: which answer a GET or HEAD of a file gets, from the request's
// conditional and range headers (RFC 9110 sections 13 and 14): the whole
// file (200), one part of it (206), "not modified" (304) or "range not
// satisfiable" (416). Pure: the file's validators and the headers in, the
// decision out; static_files applies it.
//
// The order is RFC 9110 13.2.2's: If-None-Match when present (weak
// comparison, `*` matches any file), else If-Modified-Since (an invalid date
// is ignored); either gives 304. Then, for a GET only, Range: one range
// `bytes=a-b`, `a-` or `-n` gives 206 with that part, or 416 when it starts
// past the end (or asks for the last 0 bytes); several ranges are answered
// with the whole file (200), as a server may, and a malformed Range is
// ignored. If-Range (an ETag compared strongly, or the exact Last-Modified
// date) keeps the Range only when it still names this file's version.
// If-Match and If-Unmodified-Since are not supported (no method here writes).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http_date.hpp"
#include "request_parser.hpp"

namespace http_server {

/// What identifies a version of a file: its ETag, nginx's form (`"mtime-size"`,
/// both in hex: a strong validator that changes when either does), and its
/// modification time (whole seconds, as Last-Modified carries it).
struct Validators {
    std::string etag;
    SysSeconds modified{};
    std::string last_modified;  ///< `modified` as an HTTP-date
    std::uint64_t size = 0;
};

Validators validators_for(std::chrono::system_clock::time_point mtime, std::uint64_t size);

/// The request's headers that decide the answer, copied out of the Request.
struct Preconditions {
    std::optional<std::string> if_none_match;  ///< every If-None-Match line, joined with ", "
    std::optional<std::string> if_modified_since;
    std::optional<std::string> range;
    std::optional<std::string> if_range;

    static Preconditions of(const Request& req);
};

/// The answer: a status (200, 206, 304 or 416) and, for 200 and 206, the
/// bytes of the file to send.
struct Selection {
    int status = 200;
    std::uint64_t first = 0;   ///< offset of the first byte sent
    std::uint64_t length = 0;  ///< bytes sent
};

/// `is_get`: false for HEAD, which gets 304 like a GET but never a range.
Selection select_representation(const Preconditions& pre, const Validators& file, bool is_get);

/// If-None-Match's weak comparison of a field value (a list of entity tags,
/// or `*`) against `etag`.
bool none_match_fails(std::string_view field, std::string_view etag);

/// `Content-Range` for a Selection: "bytes 0-4/15" (206), "bytes */15" (416).
std::string content_range(const Selection& s, std::uint64_t size);

}  // namespace http_server
