#pragma once
// Strict UTF-8 validation with Rust's `str::from_utf8` rules (no overlong
// forms, no surrogates U+D800..U+DFFF, nothing above U+10FFFF), reporting
// like Rust's Utf8Error: how many bytes are valid, and whether what follows
// is only a character cut short by the end of the input (`error_len() ==
// None`), which more bytes could complete. Plain functions, any thread.

#include <cstddef>
#include <cstdint>
#include <span>

namespace pollen::detail {

struct Utf8Check {
    std::size_t valid_up_to;  ///< the bytes before this form whole, valid characters
    bool truncated;           ///< the rest is the start of a valid character, cut by the end
};

inline Utf8Check check_utf8(std::span<const std::byte> bytes) {
    const std::size_t n = bytes.size();
    auto at = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
    std::size_t i = 0;
    while (i < n) {
        const std::uint8_t c = at(i);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint8_t lo = 0x80, hi = 0xBF;  // the second byte's range; later ones are 80..BF
        if (c >= 0xC2 && c <= 0xDF) {  // 0xC0, 0xC1 would be overlong
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;       // overlong below
            else if (c == 0xED) hi = 0x9F;  // surrogates above
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;       // overlong below
            else if (c == 0xF4) hi = 0x8F;  // past U+10FFFF above
        } else {
            return {i, false};  // a continuation byte first, or 0xF5..0xFF
        }
        for (std::size_t k = 1; k < len; ++k) {
            if (i + k == n) return {i, true};
            const std::uint8_t b = at(i + k);
            const bool ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
            if (!ok) return {i, false};
        }
        i += len;
    }
    return {n, false};
}

/// The whole input is valid UTF-8 (a cut character is not).
inline bool is_utf8(std::span<const std::byte> bytes) { return check_utf8(bytes).valid_up_to == bytes.size(); }

/// Valid UTF-8 except perhaps for a character cut short at the end.
inline bool is_utf8_prefix(std::span<const std::byte> bytes) {
    const Utf8Check c = check_utf8(bytes);
    return c.valid_up_to == bytes.size() || c.truncated;
}

/// Where the last character of `bytes` starts if it is cut short (a
/// character the next bytes may complete); `bytes.size()` otherwise.
inline std::size_t utf8_cut_tail(std::span<const std::byte> bytes) {
    const std::size_t n = bytes.size();
    // A character is at most 4 bytes: its lead is among the last 3.
    for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
        const auto b = static_cast<std::uint8_t>(bytes[n - back]);
        if ((b & 0xC0) == 0x80) continue;  // a continuation byte: look further back
        const Utf8Check c = check_utf8(bytes.subspan(n - back));
        return c.valid_up_to == 0 && c.truncated ? n - back : n;
    }
    return n;
}

}  // namespace pollen::detail
