#pragma once
// url: the crawler's `http://host:port/path` URLs: parsing, resolving a link
// against the page it is on (RFC 3986 section 5), and normalising, so that two
// spellings of one page ("/a/../b.html", "/b.html#top", "/%62.html") count
// as one visit. Pure string work.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crawler {

struct Url {
    std::string host;         ///< lower case; an IPv6 literal without its brackets
    std::uint16_t port = 80;
    std::string path = "/";   ///< starts with '/', dot segments removed, "?query" kept, no fragment

    /// "http://host:port/path", the port left out when it is 80: the normal form.
    std::string to_string() const;
    /// "host:port" (brackets around IPv6), what the Host header carries.
    std::string authority() const;
    bool same_origin(const Url& other) const { return host == other.host && port == other.port; }
    bool operator==(const Url&) const = default;
};

/// An absolute `http://` URL (scheme case-insensitive); nullopt for any other
/// scheme, user info, a bad port or a malformed host.
std::optional<Url> parse_url(std::string_view text);

/// The URL `ref` (an href, absolute or relative) names when found on the
/// page `base`; nullopt for other schemes (https:, mailto:, javascript:...)
/// or a malformed reference. The fragment is dropped.
std::optional<Url> resolve(const Url& base, std::string_view ref);

/// RFC 3986's remove_dot_segments on an absolute path ("/a/./b/../c" → "/a/c").
std::string remove_dot_segments(std::string_view path);

}  // namespace crawler
