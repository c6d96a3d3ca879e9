#pragma once
/// detail::poll_send_to / poll_recv_from / try_send_to / try_recv_from: the
/// addressed datagram calls of UdpSocket (SocketAddr) and UnixDatagram
/// (UnixSocketAddr), written once for any address type. An address type
/// brings two overloads, declared before these templates (they live in
/// detail, where argument-dependent lookup would not look):
/// `to_storage(addr, ss)` (the sockaddr and its length) and
/// `from_storage(std::type_identity<Addr>, len, ss)` (inet_addrs.hpp,
/// unix_addrs.hpp).
///
/// The waiting, EAGAIN and EINTR handling is Socket's (poll_io / try_io):
/// one datagram per call, truncated to the buffer (the rest is dropped by
/// the kernel), the sender filled in when Ready(Ok). Nothing is kept between
/// polls, so a future built on them that is destroyed mid-way sends or takes
/// nothing.

#include <sys/socket.h>

#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>

#include "../../core/io/error.hpp"
#include "../../core/poll.hpp"
#include "inet_addrs.hpp"
#include "socket.hpp"
#include "unix_addrs.hpp"

namespace pollen::net::detail {

template <class Addr>
Poll<io::Result<std::size_t>> poll_send_to(Socket& s, Context& cx, std::span<const std::byte> buf,
                                           const Addr& target) {
    sockaddr_storage ss;
    socklen_t len = to_storage(target, ss);
    return s.poll_send_to(cx, buf, ss, len);
}

/// `flags` go to recvfrom (MSG_PEEK leaves the datagram queued).
template <class Addr>
Poll<io::Result<std::pair<std::size_t, Addr>>> poll_recv_from(Socket& s, Context& cx, std::span<std::byte> buf,
                                                              int flags = 0) {
    using R = io::Result<std::pair<std::size_t, Addr>>;
    sockaddr_storage ss;
    socklen_t len = 0;
    auto p = s.poll_recv_from(cx, buf, ss, len, flags);
    if (p.is_pending()) return pending;
    io::Result<std::size_t> n = p.take();
    if (!n) return ready(R(Err(n.error())));
    io::Result<Addr> from = from_storage(std::type_identity<Addr>{}, Ok(len), ss);
    if (!from) return ready(R(Err(from.error())));
    return ready(R(Ok(std::pair<std::size_t, Addr>{*n, std::move(*from)})));
}

template <class Addr>
io::Result<std::size_t> try_send_to(Socket& s, std::span<const std::byte> buf, const Addr& target) {
    sockaddr_storage ss;
    socklen_t len = to_storage(target, ss);
    return s.try_send_to(buf, ss, len);
}

template <class Addr>
io::Result<std::pair<std::size_t, Addr>> try_recv_from(Socket& s, std::span<std::byte> buf) {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    auto n = s.try_recv_from(buf, ss, len);
    if (!n) return Err(n.error());
    io::Result<Addr> from = from_storage(std::type_identity<Addr>{}, Ok(len), ss);
    if (!from) return Err(from.error());
    return Ok(std::pair<std::size_t, Addr>{*n, std::move(*from)});
}

}  // namespace pollen::net::detail
