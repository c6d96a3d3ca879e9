#pragma once
/// The "pollen.net.addr" error category: why an address given as text or as
/// a list could not be used, before any socket call (Rust's
/// `io::ErrorKind::InvalidInput` errors of `ToSocketAddrs`: "invalid socket
/// address", "invalid port value", "could not resolve to any address").
/// Each compares equal to `std::errc::invalid_argument`. Plain values.

#include <system_error>
#include <type_traits>

namespace pollen::net {

enum class addr_errc {
    /// Not "host:port", "a.b.c.d:port" or "[v6]:port" (no ':', an empty host).
    invalid_socket_address = 1,
    /// The text after the last ':' is not a number from 0 to 65535.
    invalid_port,
    /// The name resolved, or the list was given, but it holds no address to try.
    no_addresses,
};

/// The category of addr_errc (one object per program).
const std::error_category& addr_category() noexcept;

inline std::error_code make_error_code(addr_errc e) noexcept { return {static_cast<int>(e), addr_category()}; }

}  // namespace pollen::net

template <>
struct std::is_error_code_enum<pollen::net::addr_errc> : std::true_type {};
