#pragma once
// glob.hpp: Redis's glob matching (util.c's stringmatchlen), used by KEYS,
// SCAN MATCH and CONFIG GET: `*` any run of bytes, `?` one byte, `[abc]`,
// `[^abc]`, `[a-z]` (either order), `\x` the byte x. A `[` without its `]`
// matches as Redis's does (the set runs to the end of the pattern). Binary
// safe; patterns of stars stop early once a suffix cannot match, as Redis's
// do. Pure; any thread.
#include <cctype>
#include <string_view>

namespace mini_redis {

namespace detail {

inline int glob_lower(int c, bool nocase) { return nocase ? std::tolower(c) : c; }

inline bool glob_match_impl(const char* p, std::size_t plen, const char* s, std::size_t slen, bool nocase,
                            bool& skip_longer) {
    // Indexing past the end reads as '\0', as in Redis's NUL-terminated strings.
    auto at = [](const char* b, std::size_t len, std::size_t i) { return i < len ? b[i] : '\0'; };
    while (plen && slen) {
        switch (p[0]) {
            case '*':
                while (plen > 1 && p[1] == '*') {
                    ++p;
                    --plen;
                }
                if (plen == 1) return true;
                while (slen) {
                    if (glob_match_impl(p + 1, plen - 1, s, slen, nocase, skip_longer)) return true;
                    if (skip_longer) return false;
                    ++s;
                    --slen;
                }
                // No match for the rest from anywhere: a longer match for an
                // earlier star cannot help either.
                skip_longer = true;
                return false;
            case '?':
                ++s;
                --slen;
                break;
            case '[': {
                ++p;
                --plen;
                bool negate = at(p, plen, 0) == '^';
                if (negate) {
                    ++p;
                    --plen;
                }
                bool match = false;
                for (;;) {
                    if (plen == 0) {
                        --p;
                        ++plen;
                        break;
                    }
                    if (p[0] == '\\' && plen >= 2) {
                        ++p;
                        --plen;
                        if (p[0] == s[0]) match = true;
                    } else if (p[0] == ']') {
                        break;
                    } else if (plen >= 3 && p[1] == '-') {
                        int start = static_cast<unsigned char>(p[0]);
                        int end = static_cast<unsigned char>(p[2]);
                        int c = static_cast<unsigned char>(s[0]);
                        if (start > end) std::swap(start, end);
                        start = glob_lower(start, nocase);
                        end = glob_lower(end, nocase);
                        c = glob_lower(c, nocase);
                        p += 2;
                        plen -= 2;
                        if (c >= start && c <= end) match = true;
                    } else if (glob_lower(static_cast<unsigned char>(p[0]), nocase) ==
                               glob_lower(static_cast<unsigned char>(s[0]), nocase)) {
                        match = true;
                    }
                    ++p;
                    --plen;
                }
                if (negate) match = !match;
                if (!match) return false;
                ++s;
                --slen;
                break;
            }
            case '\\':
                if (plen >= 2) {
                    ++p;
                    --plen;
                }
                [[fallthrough]];
            default:
                if (glob_lower(static_cast<unsigned char>(p[0]), nocase) !=
                    glob_lower(static_cast<unsigned char>(s[0]), nocase))
                    return false;
                ++s;
                --slen;
                break;
        }
        ++p;
        --plen;
        if (slen == 0) {
            while (plen && p[0] == '*') {
                ++p;
                --plen;
            }
            break;
        }
    }
    return plen == 0 && slen == 0;
}

}  // namespace detail

inline bool glob_match(std::string_view pattern, std::string_view s, bool nocase = false) {
    bool skip_longer = false;
    return detail::glob_match_impl(pattern.data(), pattern.size(), s.data(), s.size(), nocase, skip_longer);
}

}  // namespace mini_redis
