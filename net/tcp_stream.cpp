#include "tcp_stream.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <memory>

#include "detail/inet_addrs.hpp"

namespace pollen::net {

io::Result<TcpStream> TcpStream::from_fd(int fd) {
    auto s = detail::Socket::adopt(fd);
    if (!s) return Err(s.error());
    return Ok(TcpStream(std::move(*s)));
}

Poll<io::Result<void>> TcpStream::poll_shutdown(Context&) {
    return pollen::ready(sock_.shutdown(SHUT_WR));
}

io::Result<SocketAddr> TcpStream::local_addr() const { return detail::local_inet_addr(sock_); }

io::Result<SocketAddr> TcpStream::peer_addr() const { return detail::peer_inet_addr(sock_); }

io::Result<void> TcpStream::set_nodelay(bool on) {
    return sock_.set_option(IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
}

io::Result<bool> TcpStream::nodelay() const {
    auto v = sock_.option(IPPROTO_TCP, TCP_NODELAY);
    if (!v) return Err(v.error());
    return Ok(*v != 0);
}

io::Result<void> TcpStream::set_linger(std::optional<std::chrono::seconds> linger) {
    if (sock_.simulated()) return Ok();  // a simulated stream has no linger: ignored, as its other options
    ::linger l{};
    l.l_onoff = linger.has_value();
    l.l_linger = linger ? static_cast<int>(linger->count()) : 0;
    if (::setsockopt(sock_.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l) < 0) return Err(detail::last_error());
    return Ok();
}

io::Result<void> TcpStream::set_ttl(unsigned ttl) {
    return sock_.set_option(IPPROTO_IP, IP_TTL, static_cast<int>(ttl));
}

io::Result<unsigned> TcpStream::ttl() const {
    auto v = sock_.option(IPPROTO_IP, IP_TTL);
    if (!v) return Err(v.error());
    return Ok(static_cast<unsigned>(*v));
}

std::pair<tcp::OwnedReadHalf, tcp::OwnedWriteHalf> TcpStream::into_split() && {
    auto shared = std::make_shared<TcpStream>(std::move(*this));
    return {tcp::OwnedReadHalf(shared), tcp::OwnedWriteHalf(shared)};
}

}  // namespace pollen::net
