#pragma once
/// UdpSocket: a UDP socket (Tokio's `UdpSocket`).
///
/// `bind(addr)` is synchronous. `connect(addr)` is synchronous too (a UDP
/// connect only records the default peer and filters what is received;
/// resolve names first with `lookup_host`). The futures `send`/`recv` (to and
/// from the connected peer) and `send_to`/`recv_from` each move one datagram;
/// a datagram longer than the buffer is truncated, as in Tokio. They are
/// Ready with the byte count (and the sender for recv_from), or an error
/// value (e.g. connection_refused after an ICMP unreachable); Pending on
/// EAGAIN, woken by the reactor's thread. One task may receive while another
/// sends. Destroying a future mid-way sends or takes nothing (cancel safe);
/// the futures borrow the socket, which must outlive them. Destroying the
/// socket deregisters it, then closes it.

#include <span>
#include <utility>

#include "../core/io/error.hpp"
#include "../core/poll_fn.hpp"
#include "detail/socket.hpp"
#include "readiness.hpp"
#include "socket_addr.hpp"

namespace pollen::net {

class UdpSocket {
public:
    static io::Result<UdpSocket> bind(const SocketAddr& addr);
    /// Takes ownership of a UDP socket's fd and registers it.
    static io::Result<UdpSocket> from_fd(int fd);

    UdpSocket(UdpSocket&&) noexcept = default;
    UdpSocket& operator=(UdpSocket&&) noexcept = default;

    /// Sets the default peer for send/recv (and receives only from it).
    io::Result<void> connect(const SocketAddr& addr);

    Poll<io::Result<std::size_t>> poll_send(Context& cx, std::span<const std::byte> buf) {
        return sock_.poll_send(cx, buf);
    }
    Poll<io::Result<std::size_t>> poll_recv(Context& cx, std::span<std::byte> buf) {
        return sock_.poll_recv(cx, buf);
    }
    Poll<io::Result<std::size_t>> poll_send_to(Context& cx, std::span<const std::byte> buf,
                                               const SocketAddr& target);
    Poll<io::Result<std::pair<std::size_t, SocketAddr>>> poll_recv_from(Context& cx, std::span<std::byte> buf);

    auto send(std::span<const std::byte> buf) {
        return poll_fn([this, buf](Context& cx) { return poll_send(cx, buf); });
    }
    auto recv(std::span<std::byte> buf) {
        return poll_fn([this, buf](Context& cx) { return poll_recv(cx, buf); });
    }
    auto send_to(std::span<const std::byte> buf, SocketAddr target) {
        return poll_fn([this, buf, target](Context& cx) { return poll_send_to(cx, buf, target); });
    }
    auto recv_from(std::span<std::byte> buf) {
        return poll_fn([this, buf](Context& cx) { return poll_recv_from(cx, buf); });
    }

    Readiness readable() { return Readiness(sock_, detail::Direction::Read); }
    Readiness writable() { return Readiness(sock_, detail::Direction::Write); }
    io::Result<std::size_t> try_send(std::span<const std::byte> buf) { return sock_.try_send(buf); }
    io::Result<std::size_t> try_recv(std::span<std::byte> buf) { return sock_.try_recv(buf); }
    io::Result<std::size_t> try_send_to(std::span<const std::byte> buf, const SocketAddr& target);
    io::Result<std::pair<std::size_t, SocketAddr>> try_recv_from(std::span<std::byte> buf);

    io::Result<SocketAddr> local_addr() const;
    io::Result<SocketAddr> peer_addr() const;
    io::Result<void> set_broadcast(bool on);
    io::Result<bool> broadcast() const;
    io::Result<void> set_ttl(unsigned ttl);
    io::Result<void> take_error() { return sock_.take_error(); }
    int as_raw_fd() const { return sock_.fd(); }

private:
    explicit UdpSocket(detail::Socket s) : sock_(std::move(s)) {}
    detail::Socket sock_;
};

}  // namespace pollen::net
