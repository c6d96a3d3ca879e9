#include "unix_listener.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "detail/unix_addrs.hpp"

namespace pollen::net {

io::Result<UnixListener> UnixListener::bind(std::string_view path, int backlog) {
    auto addr = UnixSocketAddr::from_pathname(path);
    if (!addr) return Err(addr.error());
    sockaddr_storage ss;
    socklen_t len = detail::to_storage(*addr, ss);
    auto s = detail::bind_socket(SOCK_STREAM, ss, len, backlog, /*reuse_addr=*/false);
    if (!s) return Err(s.error());
    return Ok(UnixListener(std::move(*s)));
}

io::Result<UnixListener> UnixListener::from_fd(int fd) {
    auto s = detail::Socket::adopt(fd);
    if (!s) return Err(s.error());
    return Ok(UnixListener(std::move(*s)));
}

Poll<io::Result<std::pair<UnixStream, UnixSocketAddr>>> UnixListener::poll_accept(Context& cx) {
    using R = io::Result<std::pair<UnixStream, UnixSocketAddr>>;
    sockaddr_storage ss;
    socklen_t len = 0;
    auto p = detail::poll_accept(sock_, backoff_, cx, ss, len);
    if (p.is_pending()) return pending;
    io::Result<int> fd = p.take();
    if (!fd) return ready(R(Err(fd.error())));
    auto s = detail::Socket::adopt(*fd);
    if (!s) return ready(R(Err(s.error())));
    auto peer = detail::unix_addr_of(Ok(len), ss);
    return ready(R(Ok(std::pair{UnixStream(std::move(*s)), std::move(*peer)})));
}

io::Result<UnixSocketAddr> UnixListener::local_addr() const { return detail::local_unix_addr(sock_); }

}  // namespace pollen::net
