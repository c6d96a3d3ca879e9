#include "udp_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

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

}  // namespace pollen::net
