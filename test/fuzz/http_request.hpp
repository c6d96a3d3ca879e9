#pragma once
// Fuzz target logic: the HTTP/1.1 request-head parser of samples/http_server
// (request_parser.hpp), fed hostile bytes under fuzz-chosen limits. Shared by
// the libFuzzer main (http_request_fuzz.cpp) and test/fuzz_regression_test.cpp.
//
// Input: 3 header bytes, then the bytes received.
//   [0] max_head selector   [1] max_headers selector   [2] max_body selector
//   (below 128: small limits, so the fuzzer reaches them; otherwise the defaults)
//
// What must hold (the parser's own contract):
//   - any bytes give exactly one of NeedMore, Request, ParseError; NeedMore
//     only while the buffer is shorter than max_head; a ParseError's status
//     is one of 400, 413, 431, 501, 505;
//   - a Request is sane: 0 < consumed <= size, at most max_headers headers,
//     HTTP/1.0 or 1.1, a content length within max_body, and its head written
//     out again parses to the same Request;
//   - prefixes agree: a shorter buffer that already gives a Request or a
//     ParseError gives the same one as the whole buffer; a Request's own
//     head, cut anywhere before its end, is NeedMore;
//   - fed a byte at a time, a RequestParser gives the same answer as
//     parse_request on the whole buffer, having looked at each byte at most
//     once (the parser is incremental, linear in the bytes received);
//   - the bytes after a Request (pipelined requests) parse under the same rules.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "../../samples/http_server/request_parser.hpp"

namespace pollen::fuzz {

namespace http_detail {

inline bool same(const http_server::ParseOutcome& a, const http_server::ParseOutcome& b) {
    if (a.index() != b.index()) return false;
    if (auto* ra = std::get_if<http_server::Request>(&a)) {
        auto& rb = std::get<http_server::Request>(b);
        return ra->method == rb.method && ra->target == rb.target && ra->minor_version == rb.minor_version &&
               ra->headers == rb.headers && ra->keep_alive == rb.keep_alive &&
               ra->content_length == rb.content_length && ra->consumed == rb.consumed;
    }
    if (auto* ea = std::get_if<http_server::ParseError>(&a))
        return ea->status == std::get<http_server::ParseError>(b).status;
    return true;
}

inline std::string check_one(std::string_view buf, const http_server::Limits& limits, int depth) {
    using namespace http_server;
    ParseOutcome whole = parse_request(buf, limits);
    if (std::holds_alternative<NeedMore>(whole)) {
        if (buf.size() >= limits.max_head) return "NeedMore with max_head bytes buffered";
        return "";
    }
    if (auto* e = std::get_if<ParseError>(&whole)) {
        if (e->status != 400 && e->status != 413 && e->status != 431 && e->status != 501 && e->status != 505)
            return "a ParseError with an unexpected status " + std::to_string(e->status);
    }
    // Shorter buffers: NeedMore, or already the same answer.
    for (std::size_t cut : {buf.size() / 2, buf.size() - 1, buf.size() / 3, std::size_t{1}}) {
        if (cut >= buf.size()) continue;
        ParseOutcome part = parse_request(buf.substr(0, cut), limits);
        if (!std::holds_alternative<NeedMore>(part) && !same(part, whole))
            return "a prefix gives a different answer than the whole buffer";
    }
    // A byte at a time, as a slow client sends it: the same answer, and no
    // byte looked at twice.
    RequestParser incremental(limits);
    ParseOutcome fed_answer = NeedMore{};
    std::size_t fed = 0;
    while (fed < buf.size() && std::holds_alternative<NeedMore>(fed_answer))
        fed_answer = incremental.parse(buf.substr(0, ++fed));
    if (!same(fed_answer, whole)) return "fed a byte at a time, the parser gives another answer";
    if (incremental.bytes_scanned() > fed) return "the parser looked at a byte more than once";
    auto* req = std::get_if<Request>(&whole);
    if (!req) return "";

    if (req->consumed == 0 || req->consumed > buf.size()) return "Request consumed out of range";
    if (req->headers.size() > limits.max_headers) return "more headers than max_headers";
    if (req->minor_version != 0 && req->minor_version != 1) return "minor version not 0 or 1";
    if (req->content_length > limits.max_body) return "content length above max_body accepted";
    if (req->method.empty() || req->target.empty()) return "empty method or target";
    if (req->consumed > limits.max_head) return "a head longer than max_head accepted";
    // The head, cut before its end, is not yet a request.
    for (std::size_t cut : {req->consumed - 1, req->consumed / 2}) {
        if (cut == 0) continue;
        if (!std::holds_alternative<NeedMore>(parse_request(buf.substr(0, cut), limits)))
            return "a head cut before its end is not NeedMore";
    }
    // Written out again (CRLF, one space after each colon), the head means the same.
    std::string again = req->method + " " + req->target + " HTTP/1." + std::to_string(req->minor_version) + "\r\n";
    for (auto& [name, value] : req->headers) again += name + ": " + value + "\r\n";
    again += "\r\n";
    http_server::Limits roomy = limits;
    roomy.max_head = again.size() + 1;
    ParseOutcome re = parse_request(again, roomy);
    auto* req2 = std::get_if<Request>(&re);
    if (!req2) return "a Request written out again does not parse";
    if (req2->method != req->method || req2->target != req->target || req2->headers != req->headers ||
        req2->keep_alive != req->keep_alive || req2->content_length != req->content_length ||
        req2->minor_version != req->minor_version || req2->consumed != again.size())
        return "a Request written out again parses differently";
    if (req->header("host").has_value() != req->header("HOST").has_value()) return "header() is case-sensitive";

    // Pipelined: what follows the body is the next request.
    std::size_t next = req->consumed + static_cast<std::size_t>(req->content_length);
    if (depth < 8 && next < buf.size()) return check_one(buf.substr(next), limits, depth + 1);
    return "";
}

}  // namespace http_detail

/// The target: "" if every property held, else what broke.
inline std::string http_request(const std::uint8_t* bytes, std::size_t size) {
    if (size < 3) return "";
    http_server::Limits limits;
    limits.max_head = bytes[0] < 128 ? 16 + bytes[0] * 4 : 8 * 1024;
    limits.max_headers = bytes[1] < 128 ? bytes[1] % 16 : 100;
    limits.max_body = bytes[2] < 128 ? bytes[2] * 10 : 1 << 20;
    std::string_view buf(reinterpret_cast<const char*>(bytes + 3), size - 3);
    return http_detail::check_one(buf, limits, 0);
}

}  // namespace pollen::fuzz
