// response_parser: status line, headers and chunked decoding.
#include "response_parser.hpp"

#include <charconv>

namespace crawler {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// The line at `pos` without its LF or CRLF; nullopt until the LF is there.
std::optional<std::string_view> next_line(std::string_view buf, std::size_t& pos) {
    std::size_t lf = buf.find('\n', pos);
    if (lf == std::string_view::npos) return std::nullopt;
    std::string_view line = buf.substr(pos, lf - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = lf + 1;
    return line;
}

}  // namespace

std::variant<Incomplete, ResponseHead, Malformed> parse_response_head(std::string_view buf, std::size_t max_head) {
    std::size_t pos = 0;
    auto status_line = next_line(buf, pos);
    if (!status_line) {
        if (buf.size() >= 5 && buf.substr(0, 5) != "HTTP/") return Malformed{"not an HTTP response"};
        return buf.size() > max_head ? std::variant<Incomplete, ResponseHead, Malformed>(Malformed{"head too large"})
                                     : Incomplete{};
    }
    // "HTTP/1.1 200 OK": version, space, three digits, then an optional reason.
    std::string_view sl = *status_line;
    if (sl.size() < 12 || sl.substr(0, 5) != "HTTP/" || sl[8] != ' ') return Malformed{"bad status line"};
    int status = 0;
    auto [p, ec] = std::from_chars(sl.data() + 9, sl.data() + 12, status);
    if (ec != std::errc() || p != sl.data() + 12 || status < 100 || (sl.size() > 12 && sl[12] != ' '))
        return Malformed{"bad status code"};

    ResponseHead head;
    head.status = status;
    for (;;) {
        auto line = next_line(buf, pos);
        if (!line) {
            if (buf.size() > max_head) return Malformed{"head too large"};
            return Incomplete{};
        }
        if (line->empty()) break;
        std::size_t colon = line->find(':');
        if (colon == std::string_view::npos || colon == 0) return Malformed{"bad header line"};
        std::string_view name = line->substr(0, colon), value = trim(line->substr(colon + 1));
        if (iequals(name, "content-type")) {
            head.content_type = value;
        } else if (iequals(name, "location")) {
            head.location = value;
        } else if (iequals(name, "content-length")) {
            std::uint64_t n = 0;
            auto [q, e] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (e != std::errc() || q != value.data() + value.size()) return Malformed{"bad Content-Length"};
            head.content_length = n;
        } else if (iequals(name, "transfer-encoding")) {
            std::size_t comma = value.rfind(',');
            head.chunked = iequals(trim(comma == std::string_view::npos ? value : value.substr(comma + 1)), "chunked");
        }
    }
    if (pos > max_head) return Malformed{"head too large"};
    head.head_len = pos;
    return head;
}

std::variant<Incomplete, std::string, Malformed> decode_chunked(std::string_view body) {
    std::string out;
    std::size_t pos = 0;
    for (;;) {
        auto size_line = next_line(body, pos);
        if (!size_line) return Incomplete{};
        std::string_view hex = size_line->substr(0, size_line->find(';'));  // chunk extensions ignored
        hex = trim(hex);
        std::uint64_t size = 0;
        auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
        if (hex.empty() || ec != std::errc() || p != hex.data() + hex.size()) return Malformed{"bad chunk size"};
        if (size == 0) {
            for (;;) {  // trailers, up to the blank line
                auto trailer = next_line(body, pos);
                if (!trailer) return Incomplete{};
                if (trailer->empty()) return out;
            }
        }
        if (size >= body.size() - pos) return Incomplete{};  // (also keeps a huge size from overflowing)
        out.append(body.substr(pos, size));
        pos += size;
        std::string_view end = body.substr(pos, 2);
        if (end == "\r\n") pos += 2;
        else if (end.front() == '\n') pos += 1;
        else if (end == "\r") return Incomplete{};
        else return Malformed{"chunk without its line end"};
    }
}

}  // namespace crawler
