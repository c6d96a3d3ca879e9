// links: scanning HTML for href attributes.
#include "links.hpp"

#include <array>
#include <utility>

namespace crawler {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string decode_entities(std::string_view s) {
    static constexpr std::array<std::pair<std::string_view, char>, 6> kNamed{
        {{"&amp;", '&'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}, {"&lt;", '<'}, {"&gt;", '>'}}};
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        bool matched = false;
        if (s[i] == '&') {
            for (const auto& [name, c] : kNamed) {
                if (s.substr(i, name.size()) == name) {
                    out += c;
                    i += name.size();
                    matched = true;
                    break;
                }
            }
        }
        if (!matched) out += s[i++];
    }
    return out;
}

}  // namespace

std::vector<std::string> extract_links(std::string_view html) {
    std::vector<std::string> links;
    std::size_t i = 0;
    while (i + 4 <= html.size()) {
        // "href" as a whole attribute name: after a space (not "data-href").
        bool at_href = lower(html[i]) == 'h' && lower(html[i + 1]) == 'r' && lower(html[i + 2]) == 'e' &&
                       lower(html[i + 3]) == 'f' && i > 0 && is_space(html[i - 1]);
        if (!at_href) {
            ++i;
            continue;
        }
        std::size_t j = i + 4;
        while (j < html.size() && is_space(html[j])) ++j;
        if (j >= html.size() || html[j] != '=') {
            i = j;
            continue;
        }
        ++j;
        while (j < html.size() && is_space(html[j])) ++j;
        if (j >= html.size()) break;
        std::size_t start, end;
        if (html[j] == '"' || html[j] == '\'') {
            start = j + 1;
            end = html.find(html[j], start);
            if (end == std::string_view::npos) break;  // unterminated: the page is cut short
            i = end + 1;
        } else {
            start = j;
            end = start;
            while (end < html.size() && !is_space(html[end]) && html[end] != '>') ++end;
            i = end;
        }
        links.push_back(decode_entities(html.substr(start, end - start)));
    }
    return links;
}

}  // namespace crawler
