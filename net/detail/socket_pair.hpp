#pragma once
/// socket_pair: a connected pair of non-blocking, close-on-exec Unix sockets
/// of `type` (SOCK_STREAM or SOCK_DGRAM), each registered with the current
/// reactor: what UnixStream::pair and UnixDatagram::pair both need.

#include <sys/socket.h>

#include <utility>

#include "socket.hpp"

namespace pollen::net::detail {

inline io::Result<std::pair<Socket, Socket>> socket_pair(int type) {
    refuse_in_simulation("a real socket pair (UnixStream::pair, UnixDatagram::pair)");
    int fds[2];
    if (::socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0) return Err(last_error());
    OwnedFd second(fds[1]);  // closed if the first cannot be registered
    auto a = Socket::adopt(fds[0]);
    if (!a) return Err(a.error());
    auto b = Socket::adopt(second.release());
    if (!b) return Err(b.error());
    return Ok(std::pair{std::move(*a), std::move(*b)});
}

}  // namespace pollen::net::detail
