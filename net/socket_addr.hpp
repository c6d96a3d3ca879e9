#pragma once
/// SocketAddr: an IP address and a port (Rust's `std::net::SocketAddr`), a
/// plain value. Parses "127.0.0.1:80" and "[::1]:80" (an IPv6 scope may follow
/// as "[fe80::1%2]:80"), prints the same forms, and converts to and from the
/// `sockaddr_storage` the socket calls take. Nothing here polls or wakes.

#include <sys/socket.h>

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "../core/io/error.hpp"
#include "ip_addr.hpp"

namespace pollen::net {

class SocketAddr {
public:
    /// 0.0.0.0:0.
    SocketAddr() = default;
    SocketAddr(IpAddr ip, std::uint16_t port, std::uint32_t scope_id = 0)
        : ip_(ip), port_(port), scope_id_(ip.is_ipv6() ? scope_id : 0) {}

    /// "a.b.c.d:port" or "[v6]:port" (or "[v6%scope]:port"); Err(invalid_argument) otherwise.
    static io::Result<SocketAddr> parse(std::string_view text);

    /// From what accept/getsockname/recvfrom filled in; Err(address_family_not_supported)
    /// for anything but AF_INET / AF_INET6.
    static io::Result<SocketAddr> from_sockaddr(const sockaddr* sa, socklen_t len);
    /// Fills `out`; returns the length to pass to bind/connect/sendto.
    socklen_t to_sockaddr(sockaddr_storage& out) const;

    const IpAddr& ip() const { return ip_; }
    std::uint16_t port() const { return port_; }
    /// The IPv6 interface index (0 for IPv4 and for global addresses).
    std::uint32_t scope_id() const { return scope_id_; }
    void set_ip(IpAddr ip) {
        ip_ = ip;
        if (ip.is_ipv4()) scope_id_ = 0;
    }
    void set_port(std::uint16_t port) { port_ = port; }

    bool is_ipv4() const { return ip_.is_ipv4(); }
    bool is_ipv6() const { return ip_.is_ipv6(); }
    /// AF_INET or AF_INET6, for socket().
    int domain() const;

    std::string to_string() const;

    bool operator==(const SocketAddr&) const = default;
    auto operator<=>(const SocketAddr&) const = default;

private:
    IpAddr ip_;
    std::uint16_t port_ = 0;
    std::uint32_t scope_id_ = 0;
};

}  // namespace pollen::net
