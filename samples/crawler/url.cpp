// url: parsing, resolution and normalisation of http URLs (see the header).
#include "url.hpp"

#include <charconv>

namespace crawler {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

bool starts_with_icase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (lower(s[i]) != prefix[i]) return false;
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_unreserved(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

/// Characters a path or query may hold as they are (unreserved, sub-delims, ':', '@', '/', '?').
bool is_path_char(unsigned char c) {
    return is_unreserved(c) || std::string_view("!$&'()*+,;=:@/?").find(char(c)) != std::string_view::npos;
}

/// One spelling per character: escapes of unreserved characters decoded,
/// other escapes in upper case, and bytes that may not appear raw (spaces,
/// quotes, non-ASCII) escaped. A '%' not followed by two hex digits is
/// escaped as %25, which is what browsers do.
std::string normalize_escapes(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            unsigned char v = static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            if (is_unreserved(v)) {
                out += char(v);
            } else {
                out += '%';
                out += kHex[v >> 4];
                out += kHex[v & 15];
            }
            i += 2;
        } else if (is_path_char(c)) {
            out += char(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

/// Splits "path?query" and normalises both halves (dots only in the path).
std::string normalize_path_and_query(std::string_view pq) {
    std::size_t q = pq.find('?');
    std::string path = remove_dot_segments(normalize_escapes(pq.substr(0, q)));
    if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
    if (q != std::string_view::npos) path += normalize_escapes(pq.substr(q));
    return path;
}

std::string_view strip_fragment(std::string_view s) { return s.substr(0, s.find('#')); }

}  // namespace

std::string remove_dot_segments(std::string_view in) {
    std::string out;
    while (!in.empty()) {
        if (in.substr(0, 3) == "../") in.remove_prefix(3);
        else if (in.substr(0, 2) == "./") in.remove_prefix(2);
        else if (in.substr(0, 3) == "/./") in.remove_prefix(2);
        else if (in == "/.") in = "/";
        else if (in.substr(0, 4) == "/../" || in == "/..") {
            in = in.size() == 3 ? std::string_view("/") : in.substr(3);
            std::size_t slash = out.rfind('/');
            out.erase(slash == std::string::npos ? 0 : slash);
        } else if (in == "." || in == "..") {
            in = {};
        } else {
            std::size_t next = in.find('/', in.front() == '/' ? 1 : 0);
            out += in.substr(0, next);
            in = next == std::string_view::npos ? std::string_view() : in.substr(next);
        }
    }
    return out;
}

std::string Url::authority() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return h + ":" + std::to_string(port);
}

std::string Url::to_string() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return "http://" + h + (port == 80 ? "" : ":" + std::to_string(port)) + path;
}

std::optional<Url> parse_url(std::string_view text) {
    if (!starts_with_icase(text, "http://")) return std::nullopt;
    text = strip_fragment(text.substr(7));
    std::size_t end = text.find_first_of("/?");
    std::string_view authority = text.substr(0, end);
    std::string_view rest = end == std::string_view::npos ? std::string_view() : text.substr(end);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

    Url url;
    std::string_view host, port;
    if (authority.front() == '[') {  // [v6]:port
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return std::nullopt;
        if (!after.empty()) port = after.substr(1);
    } else {
        std::size_t colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (host.empty()) return std::nullopt;
    for (char c : host) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '.' || c == ':' || c == '_';
        if (!ok) return std::nullopt;
        url.host += lower(c);
    }
    if (!port.empty()) {
        unsigned n = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
        if (ec != std::errc() || p != port.data() + port.size() || n == 0 || n > 65535) return std::nullopt;
        url.port = static_cast<std::uint16_t>(n);
    }
    url.path = normalize_path_and_query(rest);
    return url;
}

std::optional<Url> resolve(const Url& base, std::string_view ref) {
    while (!ref.empty() && (ref.front() == ' ' || ref.front() == '\t' || ref.front() == '\n' || ref.front() == '\r'))
        ref.remove_prefix(1);
    while (!ref.empty() && (ref.back() == ' ' || ref.back() == '\t' || ref.back() == '\n' || ref.back() == '\r'))
        ref.remove_suffix(1);
    ref = strip_fragment(ref);
    if (ref.empty()) return base;  // "#section": the same page

    // A scheme is letters (and + - .) before a ':' that comes before any '/', '?'.
    std::size_t colon = ref.find(':');
    if (colon != std::string_view::npos && colon < ref.find_first_of("/?")) {
        if (!starts_with_icase(ref, "http:")) return std::nullopt;  // https:, mailto:, javascript:...
        if (ref.substr(5, 2) != "//") return std::nullopt;           // "http:x": obsolete, refused
        return parse_url(ref);
    }
    if (ref.substr(0, 2) == "//") return parse_url("http:" + std::string(ref));

    Url out = base;
    std::string_view base_path = std::string_view(base.path).substr(0, base.path.find('?'));
    if (ref.front() == '/') {
        out.path = normalize_path_and_query(ref);
    } else if (ref.front() == '?') {
        out.path = normalize_path_and_query(std::string(base_path) + std::string(ref));
    } else {
        // Merge: the base's folder (everything up to its last '/') plus the reference.
        std::string merged(base_path.substr(0, base_path.rfind('/') + 1));
        merged += ref;
        out.path = normalize_path_and_query(merged);
    }
    return out;
}

}  // namespace crawler
