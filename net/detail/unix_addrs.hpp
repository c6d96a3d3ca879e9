#pragma once
/// detail::local_unix_addr / peer_unix_addr: getsockname / getpeername of a
/// Unix domain socket as a UnixSocketAddr, and the conversions to and from
/// sockaddr_storage (plain calls, nothing polls).

#include <sys/un.h>

#include <cstring>
#include <type_traits>

#include "../unix_socket_addr.hpp"
#include "socket.hpp"

namespace pollen::net::detail {

inline io::Result<UnixSocketAddr> unix_addr_of(io::Result<socklen_t> len, const sockaddr_storage& ss) {
    if (!len) return Err(len.error());
    sockaddr_un un;
    std::memcpy(&un, &ss, sizeof un);
    return Ok(UnixSocketAddr::from_sockaddr(un, *len));
}

/// The address codec detail::datagram.hpp's calls use (see inet_addrs.hpp for the other).
inline socklen_t to_storage(const UnixSocketAddr& a, sockaddr_storage& ss) {
    sockaddr_un un;
    socklen_t len = a.to_sockaddr(un);
    std::memset(&ss, 0, sizeof ss);
    std::memcpy(&ss, &un, sizeof un);
    return len;
}
inline io::Result<UnixSocketAddr> from_storage(std::type_identity<UnixSocketAddr>, io::Result<socklen_t> len,
                                               const sockaddr_storage& ss) {
    return unix_addr_of(len, ss);
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
