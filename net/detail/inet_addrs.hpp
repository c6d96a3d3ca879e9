#pragma once
/// detail::local_inet_addr / peer_inet_addr: getsockname / getpeername of an
/// IPv4/IPv6 socket as a SocketAddr (plain calls, nothing polls).

#include <type_traits>

#include "../socket_addr.hpp"
#include "socket.hpp"

namespace pollen::net::detail {

inline io::Result<SocketAddr> inet_addr_of(io::Result<socklen_t> len, const sockaddr_storage& ss) {
    if (!len) return Err(len.error());
    return SocketAddr::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), *len);
}

/// The address codec detail::datagram.hpp's calls use (see unix_addrs.hpp for the other).
inline socklen_t to_storage(const SocketAddr& a, sockaddr_storage& ss) { return a.to_sockaddr(ss); }
inline io::Result<SocketAddr> from_storage(std::type_identity<SocketAddr>, io::Result<socklen_t> len,
                                           const sockaddr_storage& ss) {
    return inet_addr_of(len, ss);
}

inline io::Result<SocketAddr> local_inet_addr(const Socket& s) {
    sockaddr_storage ss;
    return inet_addr_of(s.local(ss), ss);
}

inline io::Result<SocketAddr> peer_inet_addr(const Socket& s) {
    sockaddr_storage ss;
    return inet_addr_of(s.peer(ss), ss);
}

}  // namespace pollen::net::detail
