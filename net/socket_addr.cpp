#include "socket_addr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

#include "ip_addr.hpp"

namespace pollen::net {

namespace {

io::Error invalid() { return io::error(std::errc::invalid_argument); }

template <class Int>
bool parse_number(std::string_view text, Int& out) {
    if (text.empty()) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

io::Result<SocketAddr> SocketAddr::parse(std::string_view text) {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Err(invalid());
    std::uint16_t port = 0;
    if (!parse_number(text.substr(colon + 1), port)) return Err(invalid());
    std::string_view host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        std::uint32_t scope = 0;
        if (std::size_t pct = host.find('%'); pct != std::string_view::npos) {
            if (!parse_number(host.substr(pct + 1), scope)) return Err(invalid());
            host = host.substr(0, pct);
        }
        auto ip = IpAddr::parse(host);
        if (!ip || !ip->is_ipv6()) return Err(invalid());
        return Ok(SocketAddr(*ip, port, scope));
    }
    auto ip = IpAddr::parse(host);
    if (!ip || !ip->is_ipv4()) return Err(invalid());
    return Ok(SocketAddr(*ip, port));
}

io::Result<SocketAddr> SocketAddr::from_sockaddr(const sockaddr* sa, socklen_t len) {
    if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        sockaddr_in in;
        std::memcpy(&in, sa, sizeof in);
        std::array<std::uint8_t, 4> b;
        std::memcpy(b.data(), &in.sin_addr, 4);
        return Ok(SocketAddr(IpAddr::v4(b), ntohs(in.sin_port)));
    }
    if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        sockaddr_in6 in6;
        std::memcpy(&in6, sa, sizeof in6);
        std::array<std::uint8_t, 16> b;
        std::memcpy(b.data(), &in6.sin6_addr, 16);
        return Ok(SocketAddr(IpAddr::v6(b), ntohs(in6.sin6_port), in6.sin6_scope_id));
    }
    return Err(io::error(std::errc::address_family_not_supported));
}

socklen_t SocketAddr::to_sockaddr(sockaddr_storage& out) const {
    std::memset(&out, 0, sizeof out);
    if (is_ipv4()) {
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_port = htons(port_);
        std::memcpy(&in.sin_addr, ip_.octets().data(), 4);
        std::memcpy(&out, &in, sizeof in);
        return sizeof in;
    }
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port_);
    in6.sin6_scope_id = scope_id_;
    std::memcpy(&in6.sin6_addr, ip_.octets().data(), 16);
    std::memcpy(&out, &in6, sizeof in6);
    return sizeof in6;
}

int SocketAddr::domain() const { return is_ipv4() ? AF_INET : AF_INET6; }

std::string SocketAddr::to_string() const {
    std::string port = std::to_string(port_);
    if (is_ipv4()) return ip_.to_string() + ":" + port;
    std::string s = "[" + ip_.to_string();
    if (scope_id_ != 0) s += "%" + std::to_string(scope_id_);
    return s + "]:" + port;
}

}  // namespace pollen::net
