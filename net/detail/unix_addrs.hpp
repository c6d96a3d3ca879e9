#pragma once
/// detail::local_unix_addr / peer_unix_addr: getsockname / getpeername of a
/// Unix domain socket as a UnixSocketAddr (plain calls, nothing polls).

#include <sys/un.h>

#include <cstring>

#include "../unix_socket_addr.hpp"
#include "socket.hpp"

namespace pollen::net::detail {

inline io::Result<UnixSocketAddr> unix_addr_of(io::Result<socklen_t> len, const sockaddr_storage& ss) {
    if (!len) return Err(len.error());
    sockaddr_un un;
    std::memcpy(&un, &ss, sizeof un);
    return Ok(UnixSocketAddr::from_sockaddr(un, *len));
}

inline io::Result<UnixSocketAddr> local_unix_addr(const Socket& s) {
    sockaddr_storage ss;
    return unix_addr_of(s.local(ss), ss);
}

inline io::Result<UnixSocketAddr> peer_unix_addr(const Socket& s) {
    sockaddr_storage ss;
    return unix_addr_of(s.peer(ss), ss);
}

}  // namespace pollen::net::detail
