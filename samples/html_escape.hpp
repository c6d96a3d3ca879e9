#pragma once
// html_escape: `&`, `<`, `>`, `"` and `'` as character references, for text
// and attribute values a sample writes into HTML or SVG (http_server's
// directory listings, trace_timeline's pages). Shared by the samples that
// emit HTML, as delay.hpp and server_args.hpp are.

#include <string>
#include <string_view>

namespace samples {

inline std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace samples
