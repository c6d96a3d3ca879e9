#pragma once
// target_path: turns a request target into a path relative to the served
// folder, or refuses it. Pure string work, no filesystem access: this is the
// first of the two walls against path traversal (the second, in
// static_files.cpp, checks where the path really leads once symlinks are
// resolved).
#include <string>
#include <string_view>
#include <variant>

namespace http_server {

struct TargetPath {
    /// Decoded segments joined by '/', e.g. "docs/a b.html"; "" is the root.
    /// Never holds "..", "." or empty segments, and never starts with '/'.
    std::string relative;
    /// The decoded path ended in '/' ("/docs/"): the client asked for a folder.
    bool directory_form = false;
    /// The path as sent (still percent-encoded, no query): safe to echo in a
    /// Location header.
    std::string raw_path;
    /// The decoded path ("/docs/a b.html"), for a listing's title.
    std::string decoded_path;
};

/// The target's path, or the HTTP status refusing it: 400 for a target that
/// is not a path (or a broken %-escape, or a NUL byte), 403 for a ".."
/// segment (also when spelled %2e%2e). The query and fragment are ignored;
/// an absolute-form target ("http://host/x") counts by its path.
std::variant<TargetPath, int> parse_target(std::string_view target);

/// Percent-decodes `s` into `out`; false when an escape is broken ("%4", "%zz").
bool percent_decode(std::string_view s, std::string& out);

}  // namespace http_server
