#pragma once
/// io::Interest: which readiness a `ready(interest)` call waits for (Tokio's
/// `tokio::io::Interest`): READABLE, WRITABLE, ERROR, combined with `|`.
///
///     auto r = stream.ready(io::Interest::READABLE | io::Interest::WRITABLE);  // future of io::Result<io::Ready>
///
/// Never empty: every value names at least one kind (`remove` of the last
/// kind gives nullopt, as in Tokio). A plain value; nothing here polls or
/// wakes. Tokio's Linux-only PRIORITY is not offered.

#include <cstdint>
#include <optional>

namespace pollen::io {

class Interest {
public:
    static const Interest READABLE;
    static const Interest WRITABLE;
    /// The socket has an error pending (EPOLLERR): `ready(ERROR)` waits for it.
    static const Interest ERROR;

    constexpr bool is_readable() const { return (bits_ & kReadable) != 0; }
    constexpr bool is_writable() const { return (bits_ & kWritable) != 0; }
    constexpr bool is_error() const { return (bits_ & kError) != 0; }

    /// Both sets of kinds (Tokio's `add`, also spelled `a | b`).
    constexpr Interest add(Interest other) const { return Interest(bits_ | other.bits_); }
    /// This set without `other`'s kinds; nullopt if nothing would be left.
    constexpr std::optional<Interest> remove(Interest other) const {
        std::uint8_t left = bits_ & static_cast<std::uint8_t>(~other.bits_);
        if (left == 0) return std::nullopt;
        return Interest(left);
    }

    friend constexpr Interest operator|(Interest a, Interest b) { return a.add(b); }
    constexpr Interest& operator|=(Interest other) { return *this = add(other); }
    constexpr bool operator==(const Interest&) const = default;

private:
    static constexpr std::uint8_t kReadable = 1, kWritable = 2, kError = 4;
    constexpr explicit Interest(std::uint8_t bits) : bits_(bits) {}
    std::uint8_t bits_;
};

inline constexpr Interest Interest::READABLE{Interest::kReadable};
inline constexpr Interest Interest::WRITABLE{Interest::kWritable};
inline constexpr Interest Interest::ERROR{Interest::kError};

}  // namespace pollen::io
