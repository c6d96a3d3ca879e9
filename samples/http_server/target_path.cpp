// target_path: request target → safe relative path (see the header).
#include "target_path.hpp"

#include "request_parser.hpp"

namespace http_server {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

bool percent_decode(std::string_view s, std::string& out) {
    out.clear();
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return false;  // a '%' needs two hex digits after it
        int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out += char(hi * 16 + lo);
        i += 2;
    }
    return true;
}

std::variant<TargetPath, int> parse_target(std::string_view target) {
    // absolute-form (what a proxy would send): keep only the path.
    for (std::string_view scheme : {"http://", "https://"}) {
        if (target.size() >= scheme.size() && iequals(target.substr(0, scheme.size()), scheme)) {
            target.remove_prefix(scheme.size());
            std::size_t slash = target.find('/');
            target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
            break;
        }
    }
    if (target.empty() || target.front() != '/') return 400;  // "*" or authority-form: not a file
    std::string_view raw = target.substr(0, target.find_first_of("?#"));

    TargetPath out;
    out.raw_path = raw;
    if (!percent_decode(raw, out.decoded_path)) return 400;
    if (out.decoded_path.find('\0') != std::string::npos) return 400;
    out.directory_form = out.decoded_path.back() == '/';

    // Segments are split after decoding, so %2F separates too and
    // "..%2F" or "%2e%2e" become the ".." they spell.
    std::string_view rest = out.decoded_path;
    while (!rest.empty()) {
        std::size_t slash = rest.find('/');
        std::string_view seg = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        if (seg.empty() || seg == ".") continue;
        if (seg == "..") return 403;
        if (!out.relative.empty()) out.relative += '/';
        out.relative += seg;
    }
    return out;
}

}  // namespace http_server
