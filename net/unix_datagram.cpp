#include "unix_datagram.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include "detail/socket_pair.hpp"
#include "detail/unix_addrs.hpp"

namespace pollen::net {

io::Result<UnixDatagram> UnixDatagram::bind(std::string_view path) {
    auto addr = UnixSocketAddr::from_pathname(path);
    if (!addr) return Err(addr.error());
    sockaddr_storage ss;
    socklen_t len = detail::to_storage(*addr, ss);
    auto s = detail::bind_socket(SOCK_DGRAM, ss, len, /*backlog=*/-1, /*reuse_addr=*/false);
    if (!s) return Err(s.error());
    return Ok(UnixDatagram(std::move(*s)));
}

io::Result<UnixDatagram> UnixDatagram::unbound() {
    auto fd = detail::new_socket(AF_UNIX, SOCK_DGRAM);
    if (!fd) return Err(fd.error());
    auto s = detail::Socket::adopt(fd->release());
    if (!s) return Err(s.error());
    return Ok(UnixDatagram(std::move(*s)));
}

io::Result<std::pair<UnixDatagram, UnixDatagram>> UnixDatagram::pair() {
    auto sockets = detail::socket_pair(SOCK_DGRAM);
    if (!sockets) return Err(sockets.error());
    return Ok(std::pair{UnixDatagram(std::move(sockets->first)), UnixDatagram(std::move(sockets->second))});
}

io::Result<UnixDatagram> UnixDatagram::from_fd(int fd) {
    auto s = detail::Socket::adopt(fd);
    if (!s) return Err(s.error());
    return Ok(UnixDatagram(std::move(*s)));
}

io::Result<void> UnixDatagram::connect(std::string_view path) {
    auto addr = UnixSocketAddr::from_pathname(path);
    if (!addr) return Err(addr.error());
    sockaddr_storage ss;
    socklen_t len = detail::to_storage(*addr, ss);
    if (detail::sys::connect(sock_.fd(), reinterpret_cast<const sockaddr*>(&ss), len) < 0)
        return Err(detail::last_error());
    return Ok();
}

io::Result<std::size_t> UnixDatagram::try_send_to(std::span<const std::byte> buf, std::string_view path) {
    auto addr = UnixSocketAddr::from_pathname(path);
    if (!addr) return Err(addr.error());
    return try_send_to(buf, *addr);
}

io::Result<UnixSocketAddr> UnixDatagram::local_addr() const { return detail::local_unix_addr(sock_); }
io::Result<UnixSocketAddr> UnixDatagram::peer_addr() const { return detail::peer_unix_addr(sock_); }

}  // namespace pollen::net
