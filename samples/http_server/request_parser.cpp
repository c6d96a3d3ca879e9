// request_parser: the HTTP/1.1 request head parser (contract in the header).
// It walks the buffer line by line and judges each line as soon as it is
// whole, so a client that sends garbage is answered at once instead of after
// a blank line that may never come; a line once judged is never looked at
// again, and the search for a line's end resumes where the last call left it.
#include "request_parser.hpp"

#include <limits>

namespace http_server {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// RFC 9110's tchar: what a method or a header name is made of.
bool is_tchar(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!is_tchar(c)) return false;
    return true;
}

// Visible ASCII only: a space would be a separator, and a target is never
// sent with raw non-ASCII bytes (they are percent-encoded).
bool is_target(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (c <= ' ' || c >= 0x7f) return false;
    return true;
}

// field-value: visible characters, spaces, tabs and obs-text; no other controls.
bool is_field_value(std::string_view s) {
    for (unsigned char c : s)
        if ((c < ' ' && c != '\t') || c == 0x7f) return false;
    return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

ParseError error(int status, std::string reason) { return ParseError{status, std::move(reason)}; }

/// "HTTP/1.1" → 1, "HTTP/1.0" → 0; another well-formed version → 505; anything else → 400.
std::variant<int, ParseError> parse_version(std::string_view v) {
    if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5]) || v[6] != '.' || !is_digit(v[7]))
        return error(400, "malformed HTTP version");
    if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) return error(505, "unsupported HTTP version");
    return v[7] - '0';
}

/// Content-Length: 1*DIGIT. Values past max_body saturate (413 later), so a
/// 40-digit length is "too large" rather than "malformed".
std::variant<std::uint64_t, ParseError> parse_length(std::string_view v, std::uint64_t max_body) {
    if (v.empty()) return error(400, "empty Content-Length");
    std::uint64_t n = 0;
    for (char c : v) {
        if (!is_digit(c)) return error(400, "malformed Content-Length");
        if (n <= max_body) n = n * 10 + std::uint64_t(c - '0');
    }
    return n;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::optional<std::string_view> Request::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (iequals(n, name)) return std::string_view(v);
    return std::nullopt;
}

ParseOutcome RequestParser::parse(std::string_view buf) {
    // Whole lines are judged as they come; the limit is judged on whatever
    // has arrived, so an endless line cannot make us wait for ever.
    auto incomplete = [&]() -> ParseOutcome {
        if (buf.size() < limits_.max_head) return NeedMore{};
        start_over();
        return error(431, "request head too large");
    };
    auto fail = [&](ParseError e) -> ParseOutcome {
        start_over();
        return e;
    };

    if (stage_ == Stage::kLeadingLines) {
        // Empty lines before the request line are tolerated (RFC 9112 section
        // 2.2): some clients send a stray CRLF after a body.
        for (;;) {
            if (pos_ < buf.size() && buf[pos_] == '\n') pos_ += 1;
            else if (pos_ + 1 < buf.size() && buf[pos_] == '\r' && buf[pos_ + 1] == '\n') pos_ += 2;
            else break;
        }
        scanned_ += pos_ - scan_;
        scan_ = pos_;
        // A CR at the very end may still turn out to start an empty line.
        if (pos_ == buf.size() || (pos_ + 1 == buf.size() && buf[pos_] == '\r')) return incomplete();
        stage_ = Stage::kRequestLine;
    }

    for (;;) {
        // Only the bytes not searched yet are searched: what makes the parser
        // linear in the bytes received, however they are split.
        std::size_t lf = buf.find('\n', scan_);
        std::size_t searched_to = lf == std::string_view::npos ? buf.size() : lf + 1;
        scanned_ += searched_to - scan_;
        scan_ = searched_to;
        if (lf == std::string_view::npos) return incomplete();
        std::string_view line = buf.substr(pos_, lf - pos_);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos_ = lf + 1;
        if (pos_ > limits_.max_head) return fail(error(431, "request head too large"));

        if (stage_ == Stage::kRequestLine) {
            std::size_t sp1 = line.find(' ');
            std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
            if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
                return fail(error(400, "request line is not 'method target version'"));
            std::string_view method = line.substr(0, sp1);
            std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
            if (!is_token(method)) return fail(error(400, "malformed method"));
            if (!is_target(target)) return fail(error(400, "malformed request target"));
            auto version = parse_version(line.substr(sp2 + 1));
            if (auto* e = std::get_if<ParseError>(&version)) return fail(std::move(*e));
            req_.method = method;
            req_.target = target;
            req_.minor_version = std::get<int>(version);
            stage_ = Stage::kHeaders;
            continue;
        }

        if (line.empty()) return finish();
        if (line.front() == ' ' || line.front() == '\t') return fail(error(400, "obsolete line folding"));
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return fail(error(400, "header line without a colon"));
        std::string_view name = line.substr(0, colon);
        if (!is_token(name)) return fail(error(400, "malformed header name"));  // also catches "Name :"
        std::string_view value = trim(line.substr(colon + 1));
        if (!is_field_value(value)) return fail(error(400, "control character in a header value"));
        if (req_.headers.size() >= limits_.max_headers) return fail(error(431, "too many header lines"));
        req_.headers.emplace_back(std::string(name), std::string(value));
    }
}

/// The head is whole: now what the headers mean together.
ParseOutcome RequestParser::finish() {
    Request req = std::move(req_);
    req.consumed = pos_;
    start_over();
    bool has_length = false, saw_close = false, saw_keep_alive = false;
    int hosts = 0;
    for (const auto& [name, value] : req.headers) {
        if (iequals(name, "host")) {
            ++hosts;
        } else if (iequals(name, "content-length")) {
            auto n = parse_length(value, limits_.max_body);
            if (auto* e = std::get_if<ParseError>(&n)) return *e;
            std::uint64_t len = std::get<std::uint64_t>(n);
            if (has_length && len != req.content_length) return error(400, "conflicting Content-Length");
            has_length = true;
            req.content_length = len;
        } else if (iequals(name, "transfer-encoding")) {
            // Refused rather than half-supported: a body we cannot delimit
            // would desynchronise the requests that follow it.
            for (const auto& h : req.headers)
                if (iequals(h.first, "content-length"))
                    return error(400, "both Transfer-Encoding and Content-Length");
            return error(501, "Transfer-Encoding is not supported");
        } else if (iequals(name, "connection")) {
            std::string_view rest = value;
            while (!rest.empty()) {
                std::size_t comma = rest.find(',');
                std::string_view opt = trim(rest.substr(0, comma));
                if (iequals(opt, "close")) saw_close = true;
                else if (iequals(opt, "keep-alive")) saw_keep_alive = true;
                if (comma == std::string_view::npos) break;
                rest.remove_prefix(comma + 1);
            }
        }
    }
    if (hosts > 1) return error(400, "more than one Host header");
    if (hosts == 0 && req.minor_version == 1) return error(400, "HTTP/1.1 request without Host");
    if (req.content_length > limits_.max_body) return error(413, "body larger than the limit");
    req.keep_alive = !saw_close && (req.minor_version == 1 || saw_keep_alive);
    return req;
}

void RequestParser::start_over() {
    stage_ = Stage::kLeadingLines;
    pos_ = 0;
    scan_ = 0;
    req_ = Request{};
}

ParseOutcome parse_request(std::string_view buf, const Limits& limits) { return RequestParser(limits).parse(buf); }

}  // namespace http_server
