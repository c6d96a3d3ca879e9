#include "http.hpp"

#include <charconv>

namespace http_hello {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// RFC 9110's tchar: what a method or a header name may be made of.
bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

bool is_target(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (c <= ' ' || c >= 0x7f) return false;
    return true;
}

Parsed invalid(int status) {
    Parsed p;
    p.kind = Parsed::Kind::Invalid;
    p.status = status;
    p.keep_alive = false;
    return p;
}

/// Applies a Connection header's comma-separated options.
void connection_options(std::string_view value, Parsed& p) {
    while (!value.empty()) {
        std::size_t comma = value.find(',');
        std::string_view opt = trim(value.substr(0, comma));
        if (iequals(opt, "close")) p.keep_alive = false;
        else if (iequals(opt, "keep-alive")) p.keep_alive = true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
}

}  // namespace

Parsed parse_request(std::string_view buf) {
    std::size_t end = buf.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        // Reject a malformed request line as soon as it is whole, rather than
        // waiting for a blank line that a confused client may never send.
        std::size_t eol = buf.find("\r\n");
        if (eol != std::string_view::npos && eol > 0) {
            Parsed first = parse_request(std::string(buf.substr(0, eol)) + "\r\n\r\n");
            if (first.kind == Parsed::Kind::Invalid) return first;
        }
        return buf.size() > kMaxHead ? invalid(431) : Parsed{};
    }
    if (end + 4 > kMaxHead) return invalid(431);

    std::string_view head = buf.substr(0, end + 2);  // every line ends with CRLF
    Parsed p;
    p.kind = Parsed::Kind::Complete;
    p.head_len = end + 4;

    std::size_t eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return invalid(400);
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (!is_token(method) || !is_target(target)) return invalid(400);
    if (version == "HTTP/1.1") p.keep_alive = true;
    else if (version == "HTTP/1.0") p.keep_alive = false;
    else return invalid(400);

    bool has_length = false;
    while (!head.empty()) {
        eol = head.find("\r\n");
        line = head.substr(0, eol);
        head.remove_prefix(eol + 2);
        std::size_t colon = line.find(':');
        // No colon, an empty name, or a folded continuation line: all malformed.
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return invalid(400);
        std::string_view name = line.substr(0, colon), value = trim(line.substr(colon + 1));
        if (iequals(name, "connection")) {
            connection_options(value, p);
        } else if (iequals(name, "content-length")) {
            std::size_t n = 0;
            auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc() || ptr != value.data() + value.size()) return invalid(400);
            if (has_length && n != p.content_length) return invalid(400);
            has_length = true;
            p.content_length = n;
        } else if (iequals(name, "transfer-encoding")) {
            return invalid(501);  // chunked bodies are beyond this sample
        }
    }
    if (p.content_length > kMaxBody) return invalid(413);

    if (method == "GET") p.status = 200;
    else if (method == "HEAD") p.status = 200, p.head_only = true;
    else p.status = 405;
    return p;
}

void append_response(std::string& out, int status, bool head_only, bool close) {
    std::string_view reason, body;
    switch (status) {
        case 200: reason = "OK", body = "Hello, World!"; break;
        case 400: reason = "Bad Request", body = "Bad Request\n"; break;
        case 405: reason = "Method Not Allowed", body = "Method Not Allowed\n"; break;
        case 413: reason = "Content Too Large", body = "Content Too Large\n"; break;
        case 431: reason = "Request Header Fields Too Large", body = "Request Header Fields Too Large\n"; break;
        default: status = 501, reason = "Not Implemented", body = "Not Implemented\n"; break;
    }
    out += "HTTP/1.1 ";
    out += std::to_string(status);
    out += ' ';
    out += reason;
    out += "\r\nContent-Type: text/plain\r\nContent-Length: ";
    out += std::to_string(body.size());
    if (status == 405) out += "\r\nAllow: GET, HEAD";
    if (close) out += "\r\nConnection: close";
    out += "\r\n\r\n";
    if (!head_only) out += body;
}

}  // namespace http_hello
