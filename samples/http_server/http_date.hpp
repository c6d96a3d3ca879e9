#pragma once
// http_date: the HTTP-date of RFC 9110 section 5.6.7, written and read: the
// Date and Last-Modified headers, and If-Modified-Since / If-Range. Pure
// string work on whole seconds (HTTP dates have no finer resolution).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace http_server {

using SysSeconds = std::chrono::sys_seconds;

/// IMF-fixdate, the one form a sender may generate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(SysSeconds t);

/// Any of the three forms a recipient must accept: IMF-fixdate, the obsolete
/// RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime's ("Sun Nov  6
/// 08:49:37 1994"); nullopt for anything else (an invalid date is ignored by
/// the conditions that carry it, RFC 9110 13.1.3).
std::optional<SysSeconds> parse_http_date(std::string_view s);

/// "Now" for the Date header, formatted once a second per thread: every
/// response carries one (RFC 9110 6.6.1) and formatting is not free.
const std::string& http_date_now();

}  // namespace http_server
