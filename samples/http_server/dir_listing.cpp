// dir_listing: renders a folder as an HTML list of links.
#include "dir_listing.hpp"

#include <algorithm>

#include "../html_escape.hpp"

namespace http_server {

using samples::html_escape;

std::string percent_encode_segment(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += char(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::string render_listing(std::string_view decoded_path, std::vector<ListingEntry> entries) {
    std::sort(entries.begin(), entries.end(),
              [](const ListingEntry& a, const ListingEntry& b) { return a.name < b.name; });
    std::string title = "Index of " + html_escape(decoded_path);
    std::string page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
                       "</title></head>\n<body><h1>" + title + "</h1>\n<ul>\n";
    if (decoded_path != "/") page += "<li><a href=\"../\">../</a></li>\n";
    for (const auto& e : entries) {
        std::string slash = e.is_dir ? "/" : "";
        page += "<li><a href=\"" + percent_encode_segment(e.name) + slash + "\">" + html_escape(e.name) + slash +
                "</a></li>\n";
    }
    page += "</ul>\n</body></html>\n";
    return page;
}

}  // namespace http_server
