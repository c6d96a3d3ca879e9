#include "udp_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "detail/datagram.hpp"
#include "detail/each_addr.hpp"
#include "detail/inet_addrs.hpp"

namespace pollen::net {

io::Result<UdpSocket> UdpSocket::bind(const SocketAddr& addr) {
    sockaddr_storage ss;
    socklen_t len = addr.to_sockaddr(ss);
    auto s = detail::bind_socket(SOCK_DGRAM, ss, len, /*backlog=*/-1, /*reuse_addr=*/false);
    if (!s) return Err(s.error());
    return Ok(UdpSocket(std::move(*s)));
}

io::Result<UdpSocket> UdpSocket::bind(std::string_view host_port) {
    return detail::first_success<UdpSocket>(detail::resolve_now(host_port),
                                             [](const SocketAddr& a) { return bind(a); });
}

io::Result<UdpSocket> UdpSocket::bind(std::string_view host, std::uint16_t port) {
    return detail::first_success<UdpSocket>(detail::resolve_now(host, port),
                                             [](const SocketAddr& a) { return bind(a); });
}

io::Result<UdpSocket> UdpSocket::from_fd(int fd) {
    auto s = detail::Socket::adopt(fd);
    if (!s) return Err(s.error());
    return Ok(UdpSocket(std::move(*s)));
}

io::Result<void> UdpSocket::connect(const SocketAddr& addr) {
    sockaddr_storage ss;
    socklen_t len = addr.to_sockaddr(ss);
    return sock_.connect_datagram(ss, len);
}

io::Result<void> UdpSocket::connect(std::string_view host_port) {
    return detail::first_success<void>(detail::resolve_now(host_port),
                                        [this](const SocketAddr& a) { return connect(a); });
}

io::Result<void> UdpSocket::connect(std::string_view host, std::uint16_t port) {
    return detail::first_success<void>(detail::resolve_now(host, port),
                                        [this](const SocketAddr& a) { return connect(a); });
}

Poll<io::Result<std::size_t>> UdpSocket::poll_send_to(Context& cx, std::span<const std::byte> buf,
                                                      const SocketAddr& target) {
    return detail::poll_send_to(sock_, cx, buf, target);
}

Poll<io::Result<std::pair<std::size_t, SocketAddr>>> UdpSocket::poll_recv_from_flags(Context& cx,
                                                                                     std::span<std::byte> buf,
                                                                                     int flags) {
    return detail::poll_recv_from<SocketAddr>(sock_, cx, buf, flags);
}

io::Result<std::size_t> UdpSocket::try_send_to(std::span<const std::byte> buf, const SocketAddr& target) {
    return detail::try_send_to(sock_, buf, target);
}

io::Result<std::pair<std::size_t, SocketAddr>> UdpSocket::try_recv_from(std::span<std::byte> buf) {
    return detail::try_recv_from<SocketAddr>(sock_, buf);
}

io::Result<SocketAddr> UdpSocket::local_addr() const { return detail::local_inet_addr(sock_); }
io::Result<SocketAddr> UdpSocket::peer_addr() const { return detail::peer_inet_addr(sock_); }

io::Result<void> UdpSocket::set_broadcast(bool on) { return sock_.set_option(SOL_SOCKET, SO_BROADCAST, on ? 1 : 0); }

io::Result<bool> UdpSocket::broadcast() const {
    auto v = sock_.option(SOL_SOCKET, SO_BROADCAST);
    if (!v) return Err(v.error());
    return Ok(*v != 0);
}

io::Result<void> UdpSocket::set_ttl(unsigned ttl) {
    return sock_.set_option(IPPROTO_IP, IP_TTL, static_cast<int>(ttl));
}

namespace {
io::Result<unsigned> as_unsigned(io::Result<int> v) {
    if (!v) return Err(v.error());
    return Ok(static_cast<unsigned>(*v));
}
io::Result<bool> as_bool(io::Result<int> v) {
    if (!v) return Err(v.error());
    return Ok(*v != 0);
}
bool is_multicast(const IpAddr& a) {
    auto o = a.octets();
    return a.is_ipv4() ? (o[0] & 0xF0) == 0xE0 : o[0] == 0xFF;
}
}  // namespace

io::Result<unsigned> UdpSocket::ttl() const { return as_unsigned(sock_.option(IPPROTO_IP, IP_TTL)); }

// Group membership takes a struct, not an int: the one option call that
// cannot go through Socket::set_option, so it refuses simulated sockets here.
io::Result<void> UdpSocket::membership(int level, int name, const void* value, unsigned len) {
    if (sock_.simulated()) return Err(io::error(std::errc::operation_not_supported));
    if (::setsockopt(sock_.fd(), level, name, value, len) < 0) return Err(detail::last_error());
    return Ok();
}

io::Result<void> UdpSocket::change_v4_membership(int name, const IpAddr& multiaddr, const IpAddr& interface) {
    if (!multiaddr.is_ipv4() || !interface.is_ipv4() || !is_multicast(multiaddr))
        return Err(io::error(std::errc::invalid_argument));
    ip_mreq m{};
    std::memcpy(&m.imr_multiaddr, multiaddr.octets().data(), 4);
    std::memcpy(&m.imr_interface, interface.octets().data(), 4);
    return membership(IPPROTO_IP, name, &m, sizeof m);
}

io::Result<void> UdpSocket::change_v6_membership(int name, const IpAddr& multiaddr, std::uint32_t interface) {
    if (!multiaddr.is_ipv6() || !is_multicast(multiaddr)) return Err(io::error(std::errc::invalid_argument));
    ipv6_mreq m{};
    std::memcpy(&m.ipv6mr_multiaddr, multiaddr.octets().data(), 16);
    m.ipv6mr_interface = interface;
    return membership(IPPROTO_IPV6, name, &m, sizeof m);
}

io::Result<void> UdpSocket::join_multicast_v4(const IpAddr& multiaddr, const IpAddr& interface) {
    return change_v4_membership(IP_ADD_MEMBERSHIP, multiaddr, interface);
}
io::Result<void> UdpSocket::leave_multicast_v4(const IpAddr& multiaddr, const IpAddr& interface) {
    return change_v4_membership(IP_DROP_MEMBERSHIP, multiaddr, interface);
}
io::Result<void> UdpSocket::join_multicast_v6(const IpAddr& multiaddr, std::uint32_t interface) {
    return change_v6_membership(IPV6_ADD_MEMBERSHIP, multiaddr, interface);
}
io::Result<void> UdpSocket::leave_multicast_v6(const IpAddr& multiaddr, std::uint32_t interface) {
    return change_v6_membership(IPV6_DROP_MEMBERSHIP, multiaddr, interface);
}

io::Result<void> UdpSocket::set_multicast_loop_v4(bool on) {
    return sock_.set_option(IPPROTO_IP, IP_MULTICAST_LOOP, on ? 1 : 0);
}
io::Result<bool> UdpSocket::multicast_loop_v4() const { return as_bool(sock_.option(IPPROTO_IP, IP_MULTICAST_LOOP)); }
io::Result<void> UdpSocket::set_multicast_loop_v6(bool on) {
    return sock_.set_option(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, on ? 1 : 0);
}
io::Result<bool> UdpSocket::multicast_loop_v6() const {
    return as_bool(sock_.option(IPPROTO_IPV6, IPV6_MULTICAST_LOOP));
}
io::Result<void> UdpSocket::set_multicast_ttl_v4(unsigned ttl) {
    return sock_.set_option(IPPROTO_IP, IP_MULTICAST_TTL, static_cast<int>(ttl));
}
io::Result<unsigned> UdpSocket::multicast_ttl_v4() const {
    return as_unsigned(sock_.option(IPPROTO_IP, IP_MULTICAST_TTL));
}

}  // namespace pollen::net
