#pragma once
// dir_listing: the HTML page served for a folder without an index.html: one
// link per entry, relative to the folder's URL (which ends in '/'), so that
// browsers and the crawler sample can walk the tree.
#include <string>
#include <string_view>
#include <vector>

namespace http_server {

struct ListingEntry {
    std::string name;  ///< the file name, raw bytes
    bool is_dir = false;
};

/// The page for `decoded_path` (the folder's URL path, e.g. "/docs/"); the
/// entries are listed sorted by name, folders with a trailing '/', and a
/// "../" link unless this is the root.
std::string render_listing(std::string_view decoded_path, std::vector<ListingEntry> entries);

/// Percent-encodes everything but RFC 3986's unreserved characters, so a
/// name is one path segment whatever bytes it holds.
std::string percent_encode_segment(std::string_view s);

}  // namespace http_server
