#include "tcp_listener.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include "detail/each_addr.hpp"
#include "detail/inet_addrs.hpp"
#include "detail/sim_socket.hpp"
#include "lookup_host.hpp"

namespace pollen::net {

io::Result<TcpListener> TcpListener::bind(const SocketAddr& addr, int backlog) {
    sockaddr_storage ss;
    socklen_t len = addr.to_sockaddr(ss);
    // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT.
    auto s = detail::bind_socket(SOCK_STREAM, ss, len, backlog, /*reuse_addr=*/true);
    if (!s) return Err(s.error());
    return Ok(TcpListener(std::move(*s)));
}

io::Result<TcpListener> TcpListener::bind(std::string_view host_port) {
    return detail::first_success<TcpListener>(detail::resolve_now(host_port),
                                               [](const SocketAddr& a) { return bind(a); });
}

io::Result<TcpListener> TcpListener::bind(std::string_view host, std::uint16_t port) {
    return detail::first_success<TcpListener>(detail::resolve_now(host, port),
                                               [](const SocketAddr& a) { return bind(a); });
}

io::Result<TcpListener> TcpListener::from_fd(int fd) {
    auto s = detail::Socket::adopt(fd);
    if (!s) return Err(s.error());
    return Ok(TcpListener(std::move(*s)));
}

Poll<io::Result<std::pair<TcpStream, SocketAddr>>> TcpListener::poll_accept(Context& cx) {
    using R = io::Result<std::pair<TcpStream, SocketAddr>>;
    if (detail::sim::SimSocket* sim = sock_.simulated()) {
        auto p = sim->poll_accept(cx);
        if (p.is_pending()) return pending;
        auto accepted = p.take();
        if (!accepted) return ready(R(Err(accepted.error())));
        SocketAddr peer = *(*accepted)->peer();
        return ready(R(Ok(std::pair{TcpStream(detail::Socket(detail::sim::SimSocketPtr(accepted->release()))), peer})));
    }
    sockaddr_storage ss;
    socklen_t len = 0;
    auto p = detail::poll_accept(sock_, backoff_, cx, ss, len);
    if (p.is_pending()) return pending;
    io::Result<int> fd = p.take();
    if (!fd) return ready(R(Err(fd.error())));
    auto peer = SocketAddr::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
    auto s = detail::Socket::adopt(*fd);
    if (!s) return ready(R(Err(s.error())));
    if (!peer) return ready(R(Err(peer.error())));
    return ready(R(Ok(std::pair{TcpStream(std::move(*s)), *peer})));
}

io::Result<SocketAddr> TcpListener::local_addr() const { return detail::local_inet_addr(sock_); }

io::Result<void> TcpListener::set_ttl(unsigned ttl) {
    return sock_.set_option(IPPROTO_IP, IP_TTL, static_cast<int>(ttl));
}

}  // namespace pollen::net
