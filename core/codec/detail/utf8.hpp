#pragma once
// Strict UTF-8 validation (Rust's str::from_utf8 rules): no overlong forms,
// no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
// sequence at the end.

#include <cstddef>
#include <cstdint>
#include <span>

namespace pollen::codec::detail {

inline bool is_utf8(std::span<const std::byte> bytes) {
    const std::size_t n = bytes.size();
    auto at = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
    auto cont = [&](std::size_t i, std::uint8_t lo = 0x80, std::uint8_t hi = 0xBF) {
        return i < n && at(i) >= lo && at(i) <= hi;
    };
    std::size_t i = 0;
    while (i < n) {
        const std::uint8_t c = at(i);
        if (c < 0x80) {
            ++i;
        } else if (c >= 0xC2 && c <= 0xDF) {  // 0xC0, 0xC1 would be overlong
            if (!cont(i + 1)) return false;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            const bool second = c == 0xE0 ? cont(i + 1, 0xA0)        // overlong below
                                : c == 0xED ? cont(i + 1, 0x80, 0x9F)  // surrogates above
                                            : cont(i + 1);
            if (!second || !cont(i + 2)) return false;
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            const bool second = c == 0xF0 ? cont(i + 1, 0x90)        // overlong below
                                : c == 0xF4 ? cont(i + 1, 0x80, 0x8F)  // past U+10FFFF above
                                            : cont(i + 1);
            if (!second || !cont(i + 2) || !cont(i + 3)) return false;
            i += 4;
        } else {
            return false;  // a continuation byte first, or 0xF5..0xFF
        }
    }
    return true;
}

}  // namespace pollen::codec::detail
