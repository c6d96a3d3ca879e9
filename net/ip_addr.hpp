#pragma once
/// IpAddr: an IPv4 or IPv6 address (Rust's `std::net::IpAddr`), a plain value.
///
/// Parsed from text ("127.0.0.1", "::1") with `IpAddr::parse`, printed with
/// `to_string()` in the canonical form (RFC 5952 for IPv6). Nothing here
/// polls or wakes: it is data, safe to copy and share between threads.

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "../core/io/error.hpp"

namespace pollen::net {

class IpAddr {
public:
    enum class Family : std::uint8_t { V4, V6 };

    /// 0.0.0.0, the IPv4 unspecified address.
    IpAddr() = default;

    static IpAddr v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
        IpAddr ip;
        ip.bytes_ = {a, b, c, d};
        return ip;
    }
    static IpAddr v4(std::array<std::uint8_t, 4> octets) {
        return v4(octets[0], octets[1], octets[2], octets[3]);
    }
    static IpAddr v6(std::array<std::uint8_t, 16> octets) {
        IpAddr ip;
        ip.family_ = Family::V6;
        ip.bytes_ = octets;
        return ip;
    }
    /// 127.0.0.1 and ::1 (Rust's `Ipv4Addr::LOCALHOST`, `Ipv6Addr::LOCALHOST`).
    static IpAddr localhost_v4() { return v4(127, 0, 0, 1); }
    static IpAddr localhost_v6() {
        std::array<std::uint8_t, 16> b{};
        b[15] = 1;
        return v6(b);
    }
    /// 0.0.0.0 and :: (bind to every interface).
    static IpAddr unspecified_v4() { return IpAddr(); }
    static IpAddr unspecified_v6() { return v6({}); }

    /// Dotted-quad IPv4 or RFC 4291 IPv6 text; Err(invalid_argument) otherwise.
    static io::Result<IpAddr> parse(std::string_view text);

    Family family() const { return family_; }
    bool is_ipv4() const { return family_ == Family::V4; }
    bool is_ipv6() const { return family_ == Family::V6; }
    bool is_loopback() const;
    bool is_unspecified() const;

    /// 4 bytes for IPv4, 16 for IPv6, network order.
    std::span<const std::uint8_t> octets() const {
        return {bytes_.data(), is_ipv4() ? std::size_t{4} : std::size_t{16}};
    }

    std::string to_string() const;

    bool operator==(const IpAddr&) const = default;
    auto operator<=>(const IpAddr&) const = default;

private:
    Family family_ = Family::V4;
    std::array<std::uint8_t, 16> bytes_{};  // IPv4 uses the first 4, the rest stay 0
};

}  // namespace pollen::net
