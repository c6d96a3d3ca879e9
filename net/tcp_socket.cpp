#include "tcp_socket.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "detail/connect_socket.hpp"
#include "detail/socket.hpp"

namespace pollen::net {

io::Result<TcpSocket> TcpSocket::make(int domain) {
    auto fd = detail::new_socket(domain, SOCK_STREAM);
    if (!fd) return Err(fd.error());
    return Ok(TcpSocket(std::move(*fd)));
}

io::Result<TcpSocket> TcpSocket::new_v4() { return make(AF_INET); }
io::Result<TcpSocket> TcpSocket::new_v6() { return make(AF_INET6); }

io::Result<void> TcpSocket::set_int(int level, int name, int value) {
    if (::setsockopt(fd_.get(), level, name, &value, sizeof value) < 0) return Err(detail::last_error());
    return Ok();
}

io::Result<int> TcpSocket::get_int(int level, int name) const {
    int value = 0;
    socklen_t len = sizeof value;
    if (::getsockopt(fd_.get(), level, name, &value, &len) < 0) return Err(detail::last_error());
    return Ok(value);
}

namespace {
io::Result<bool> as_bool(io::Result<int> v) {
    if (!v) return Err(v.error());
    return Ok(*v != 0);
}
io::Result<std::uint32_t> as_size(io::Result<int> v) {
    if (!v) return Err(v.error());
    return Ok(static_cast<std::uint32_t>(*v));
}
// The kernel takes an int: larger sizes are clamped, not wrapped negative.
int clamp_size(std::uint32_t size) { return size > 0x7fffffffu ? 0x7fffffff : static_cast<int>(size); }
}  // namespace

io::Result<void> TcpSocket::set_reuseaddr(bool on) { return set_int(SOL_SOCKET, SO_REUSEADDR, on); }
io::Result<bool> TcpSocket::reuseaddr() const { return as_bool(get_int(SOL_SOCKET, SO_REUSEADDR)); }
io::Result<void> TcpSocket::set_reuseport(bool on) { return set_int(SOL_SOCKET, SO_REUSEPORT, on); }
io::Result<bool> TcpSocket::reuseport() const { return as_bool(get_int(SOL_SOCKET, SO_REUSEPORT)); }
io::Result<void> TcpSocket::set_send_buffer_size(std::uint32_t size) {
    return set_int(SOL_SOCKET, SO_SNDBUF, clamp_size(size));
}
io::Result<std::uint32_t> TcpSocket::send_buffer_size() const { return as_size(get_int(SOL_SOCKET, SO_SNDBUF)); }
io::Result<void> TcpSocket::set_recv_buffer_size(std::uint32_t size) {
    return set_int(SOL_SOCKET, SO_RCVBUF, clamp_size(size));
}
io::Result<std::uint32_t> TcpSocket::recv_buffer_size() const { return as_size(get_int(SOL_SOCKET, SO_RCVBUF)); }
io::Result<void> TcpSocket::set_keepalive(bool on) { return set_int(SOL_SOCKET, SO_KEEPALIVE, on); }
io::Result<bool> TcpSocket::keepalive() const { return as_bool(get_int(SOL_SOCKET, SO_KEEPALIVE)); }
io::Result<void> TcpSocket::set_nodelay(bool on) { return set_int(IPPROTO_TCP, TCP_NODELAY, on); }
io::Result<bool> TcpSocket::nodelay() const { return as_bool(get_int(IPPROTO_TCP, TCP_NODELAY)); }

io::Result<void> TcpSocket::set_linger(std::optional<std::chrono::seconds> linger) {
    ::linger l{};
    l.l_onoff = linger.has_value();
    l.l_linger = linger ? static_cast<int>(linger->count()) : 0;
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l) < 0) return Err(detail::last_error());
    return Ok();
}

io::Result<std::optional<std::chrono::seconds>> TcpSocket::linger() const {
    ::linger l{};
    socklen_t len = sizeof l;
    if (::getsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &l, &len) < 0) return Err(detail::last_error());
    if (!l.l_onoff) return Ok(std::optional<std::chrono::seconds>());
    return Ok(std::optional<std::chrono::seconds>(std::chrono::seconds(l.l_linger)));
}

io::Result<void> TcpSocket::bind(const SocketAddr& addr) {
    sockaddr_storage ss{};
    socklen_t len = addr.to_sockaddr(ss);
    if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&ss), len) < 0) return Err(detail::last_error());
    return Ok();
}

io::Result<SocketAddr> TcpSocket::local_addr() const {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&ss), &len) < 0) return Err(detail::last_error());
    return SocketAddr::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
}

io::Result<TcpListener> TcpSocket::listen(int backlog) && {
    // listen before registering: see detail::new_socket on fresh sockets' EPOLLHUP.
    if (::listen(fd_.get(), backlog) < 0) return Err(detail::last_error());
    return TcpListener::from_fd(fd_.release());
}

Connect<TcpStream> TcpSocket::connect(const SocketAddr& addr) && {
    sockaddr_storage ss{};
    socklen_t len = addr.to_sockaddr(ss);
    return Connect<TcpStream>(detail::ConnectSocket(std::move(fd_), ss, len));
}

}  // namespace pollen::net
