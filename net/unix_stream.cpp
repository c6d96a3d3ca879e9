#include "unix_stream.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "detail/socket_pair.hpp"
#include "detail/unix_addrs.hpp"

namespace pollen::net {

Connect<UnixStream> UnixStream::connect(std::string_view path) {
    auto addr = UnixSocketAddr::from_pathname(path);
    if (!addr) return Connect<UnixStream>(detail::ConnectSocket(addr.error()));
    sockaddr_storage ss;
    socklen_t len = detail::to_storage(*addr, ss);
    return Connect<UnixStream>(detail::ConnectSocket(ss, len));
}

io::Result<std::pair<UnixStream, UnixStream>> UnixStream::pair() {
    auto sockets = detail::socket_pair(SOCK_STREAM);
    if (!sockets) return Err(sockets.error());
    return Ok(std::pair{UnixStream(std::move(sockets->first)), UnixStream(std::move(sockets->second))});
}

io::Result<UnixStream> UnixStream::from_fd(int fd) {
    auto s = detail::Socket::adopt(fd);
    if (!s) return Err(s.error());
    return Ok(UnixStream(std::move(*s)));
}

Poll<io::Result<void>> UnixStream::poll_shutdown(Context&) { return pollen::ready(sock_.shutdown(SHUT_WR)); }

io::Result<UnixSocketAddr> UnixStream::local_addr() const { return detail::local_unix_addr(sock_); }
io::Result<UnixSocketAddr> UnixStream::peer_addr() const { return detail::peer_unix_addr(sock_); }

std::pair<UnixOwnedReadHalf, UnixOwnedWriteHalf> UnixStream::into_split() && {
    auto shared = std::make_shared<UnixStream>(std::move(*this));
    return {UnixOwnedReadHalf(shared), UnixOwnedWriteHalf(shared)};
}

}  // namespace pollen::net
