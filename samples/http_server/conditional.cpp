// conditional: RFC 9110's evaluation order, the entity-tag comparisons and
// the byte-range grammar.
#include "conditional.hpp"

#include <cstdio>

namespace http_server {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// An entity tag without its weakness: `W/"x"` and `"x"` both give `"x"`.
std::string_view opaque(std::string_view tag) {
    if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
    return tag;
}

/// 1*DIGIT, saturating (a position past any file is past this one).
std::optional<std::uint64_t> number(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n > (UINT64_MAX - 9) / 10 ? UINT64_MAX : n * 10 + std::uint64_t(c - '0');
    }
    return n;
}

/// The one range of `field` against a file of `size` bytes: Selection 206 or
/// 416, or nullopt when the field is to be ignored (malformed, another
/// unit, several ranges).
std::optional<Selection> byte_range(std::string_view field, std::uint64_t size) {
    field = trim(field);
    if (field.size() < 6 || !iequals(field.substr(0, 6), "bytes=")) return std::nullopt;
    std::string_view spec = trim(field.substr(6));
    if (spec.find(',') != std::string_view::npos) return std::nullopt;  // several: the whole file
    std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto first = number(trim(spec.substr(0, dash)));
    std::string_view last_text = trim(spec.substr(dash + 1));
    Selection s{206};
    if (!first) {  // "-n": the last n bytes
        auto n = number(last_text);
        if (!n || dash != 0) return std::nullopt;
        if (*n == 0 || size == 0) return Selection{416};
        s.length = std::min(*n, size);
        s.first = size - s.length;
        return s;
    }
    std::uint64_t last = UINT64_MAX;
    if (!last_text.empty()) {
        auto l = number(last_text);
        if (!l || *l < *first) return std::nullopt;
        last = *l;
    }
    if (*first >= size) return Selection{416};
    s.first = *first;
    s.length = std::min(last, size - 1) - *first + 1;
    return s;
}

/// If-Range: true when the Range still applies (it names this version).
bool if_range_holds(std::string_view field, const Validators& file) {
    field = trim(field);
    if (field.starts_with("W/")) return false;  // the strong comparison never matches a weak tag
    if (field.starts_with("\"")) return field == file.etag;
    auto date = parse_http_date(field);
    return date && *date == file.modified;
}

}  // namespace

Validators validators_for(std::chrono::system_clock::time_point mtime, std::uint64_t size) {
    Validators v;
    v.modified = std::chrono::floor<std::chrono::seconds>(mtime);
    v.last_modified = format_http_date(v.modified);
    v.size = size;
    char tag[64];
    std::snprintf(tag, sizeof tag, "\"%llx-%llx\"", static_cast<unsigned long long>(v.modified.time_since_epoch().count()),
                  static_cast<unsigned long long>(size));
    v.etag = tag;
    return v;
}

Preconditions Preconditions::of(const Request& req) {
    Preconditions p;
    for (const auto& [name, value] : req.headers) {
        if (iequals(name, "if-none-match")) {
            p.if_none_match = p.if_none_match ? *p.if_none_match + ", " + value : value;
        }
    }
    if (auto v = req.header("if-modified-since")) p.if_modified_since = std::string(*v);
    if (auto v = req.header("range")) p.range = std::string(*v);
    if (auto v = req.header("if-range")) p.if_range = std::string(*v);
    return p;
}

bool none_match_fails(std::string_view field, std::string_view etag) {
    if (trim(field) == "*") return true;
    while (!field.empty()) {
        std::size_t comma = field.find(',');
        std::string_view tag = trim(field.substr(0, comma));
        if (!tag.empty() && opaque(tag) == opaque(etag)) return true;
        if (comma == std::string_view::npos) break;
        field.remove_prefix(comma + 1);
    }
    return false;
}

Selection select_representation(const Preconditions& pre, const Validators& file, bool is_get) {
    if (pre.if_none_match) {
        if (none_match_fails(*pre.if_none_match, file.etag)) return Selection{304};
    } else if (pre.if_modified_since) {
        auto since = parse_http_date(*pre.if_modified_since);
        if (since && file.modified <= *since) return Selection{304};
    }
    Selection whole{200, 0, file.size};
    if (!is_get || !pre.range) return whole;
    if (pre.if_range && !if_range_holds(*pre.if_range, file)) return whole;
    return byte_range(*pre.range, file.size).value_or(whole);
}

std::string content_range(const Selection& s, std::uint64_t size) {
    if (s.status == 416) return "bytes */" + std::to_string(size);
    return "bytes " + std::to_string(s.first) + "-" + std::to_string(s.first + s.length - 1) + "/" +
           std::to_string(size);
}

}  // namespace http_server
