#pragma once
/// io::Ready: the readiness the reactor reported for a socket (Tokio's
/// `tokio::io::Ready`), what `ready(interest)` is Ready with.
///
///     io::Ready r = rt.block_on(stream.ready(io::Interest::READABLE | io::Interest::WRITABLE)).value();
///     if (r.is_readable()) { /* try_read: may still say would_block, readiness can be spurious */ }
///     if (r.is_read_closed()) { /* the peer shut its write side (EPOLLRDHUP) or hung up */ }
///
/// Bits: READABLE, WRITABLE, READ_CLOSED (the peer will send nothing more:
/// EPOLLRDHUP, or EPOLLHUP), WRITE_CLOSED (nothing more can be sent: EPOLLHUP,
/// as after a reset or when both directions are shut), ERROR (EPOLLERR).
/// As in Tokio, `is_readable()` includes READ_CLOSED and `is_writable()`
/// WRITE_CLOSED: a read then returns end of stream (or the error), a write
/// the error. The closed bits are final for a registration; READABLE,
/// WRITABLE and ERROR are cleared when a try_* call finds nothing to do.
/// Unlike mio, pollen does not turn EPOLLERR into WRITE_CLOSED: on a UDP
/// socket an ICMP error is one error value, not the end of sending.
///
/// A plain value; nothing here polls or wakes. Inside `namespace pollen::io`
/// this name hides the Poll value `pollen::Ready<T>`: spell that one in full.

#include <cstdint>

#include "interest.hpp"

namespace pollen::io {

class Ready {
public:
    static const Ready EMPTY;
    static const Ready READABLE;
    static const Ready WRITABLE;
    static const Ready READ_CLOSED;
    static const Ready WRITE_CLOSED;
    static const Ready ERROR;
    static const Ready ALL;

    constexpr Ready() = default;

    constexpr bool is_empty() const { return bits_ == 0; }
    constexpr bool is_readable() const { return (bits_ & (kReadable | kReadClosed)) != 0; }
    constexpr bool is_writable() const { return (bits_ & (kWritable | kWriteClosed)) != 0; }
    constexpr bool is_read_closed() const { return (bits_ & kReadClosed) != 0; }
    constexpr bool is_write_closed() const { return (bits_ & kWriteClosed) != 0; }
    constexpr bool is_error() const { return (bits_ & kError) != 0; }
    /// Every bit of `other` is set here.
    constexpr bool contains(Ready other) const { return (bits_ & other.bits_) == other.bits_; }

    /// The readiness that answers `interest` (Tokio's `from_interest`):
    /// READABLE also takes READ_CLOSED, WRITABLE also WRITE_CLOSED.
    static constexpr Ready from_interest(Interest interest) {
        std::uint32_t b = 0;
        if (interest.is_readable()) b |= kReadable | kReadClosed;
        if (interest.is_writable()) b |= kWritable | kWriteClosed;
        if (interest.is_error()) b |= kError;
        return Ready(b);
    }
    /// The part of this readiness that `interest` asked about.
    constexpr Ready intersection(Interest interest) const { return *this & from_interest(interest); }
    /// Some readiness `interest` asked about is here.
    constexpr bool satisfies(Interest interest) const { return !intersection(interest).is_empty(); }

    /// The raw bits, for the reactor (scheduled_io.hpp uses the same values).
    constexpr std::uint32_t bits() const { return bits_; }
    /// Keeps only the bits above; anything else is dropped.
    static constexpr Ready from_bits(std::uint32_t bits) { return Ready(bits & kAll); }

    friend constexpr Ready operator|(Ready a, Ready b) { return Ready(a.bits_ | b.bits_); }
    friend constexpr Ready operator&(Ready a, Ready b) { return Ready(a.bits_ & b.bits_); }
    /// `a` without the bits of `b`.
    friend constexpr Ready operator-(Ready a, Ready b) { return Ready(a.bits_ & ~b.bits_); }
    constexpr Ready& operator|=(Ready other) { return *this = *this | other; }
    constexpr bool operator==(const Ready&) const = default;

private:
    static constexpr std::uint32_t kReadable = 1, kWritable = 2, kReadClosed = 4, kWriteClosed = 8, kError = 16;
    static constexpr std::uint32_t kAll = kReadable | kWritable | kReadClosed | kWriteClosed | kError;
    constexpr explicit Ready(std::uint32_t bits) : bits_(bits) {}
    std::uint32_t bits_ = 0;
};

inline constexpr Ready Ready::EMPTY{0};
inline constexpr Ready Ready::READABLE{Ready::kReadable};
inline constexpr Ready Ready::WRITABLE{Ready::kWritable};
inline constexpr Ready Ready::READ_CLOSED{Ready::kReadClosed};
inline constexpr Ready Ready::WRITE_CLOSED{Ready::kWriteClosed};
inline constexpr Ready Ready::ERROR{Ready::kError};
inline constexpr Ready Ready::ALL{Ready::kAll};

}  // namespace pollen::io
