#pragma once
/// UdpSocket: a UDP socket (Tokio's `UdpSocket`).
///
/// `bind(addr)` is synchronous. `connect(addr)` is synchronous too (a UDP
/// connect only records the default peer and filters what is received).
/// Both also take "host:port" or (host, port), Tokio's `impl ToSocketAddrs`:
/// each address is tried in turn, the first that works kept (else the last
/// error; malformed text is Err(addr_errc::...), equal to
/// std::errc::invalid_argument). A literal is parsed on the spot, but a name
/// is resolved by getaddrinfo on the calling thread, which blocks until the
/// resolver answers: inside tasks prefer literals, or `lookup_host` first.
/// `send_to(buf, "host:port")` resolves asynchronously (net/udp_send_to.hpp).
///
/// The futures `send`/`recv` (to and from the connected peer) and
/// `send_to`/`recv_from` each move one datagram; a datagram longer than the
/// buffer is truncated, as in Tokio. They are Ready with the byte count (and
/// the sender for recv_from), or an error value (e.g. connection_refused
/// after an ICMP unreachable); Pending on EAGAIN, woken by the reactor's
/// thread; `ready(interest)`, `readable()` and `writable()` as TcpStream's.
/// `peek_from` is recv_from that leaves the datagram queued
/// (MSG_PEEK): the next recv/recv_from/peek_from gets it again. One task may
/// receive while another sends. Destroying a future mid-way sends or takes
/// nothing (cancel safe); the futures borrow the socket, which must outlive
/// them. Destroying the socket deregisters it, then closes it.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "../core/io/error.hpp"
#include "../core/poll_fn.hpp"
#include "detail/socket.hpp"
#include "lookup_host.hpp"
#include "readiness.hpp"
#include "socket_addr.hpp"
#include "udp_send_to.hpp"

namespace pollen::net {

class UdpSocket {
public:
    static io::Result<UdpSocket> bind(const SocketAddr& addr);
    /// "host:port" / (host, port); a name blocks this thread while it resolves.
    static io::Result<UdpSocket> bind(std::string_view host_port);
    static io::Result<UdpSocket> bind(std::string_view host, std::uint16_t port);
    /// Takes ownership of a UDP socket's fd and registers it.
    static io::Result<UdpSocket> from_fd(int fd);

    UdpSocket(UdpSocket&&) noexcept = default;
    UdpSocket& operator=(UdpSocket&&) noexcept = default;

    /// Sets the default peer for send/recv (and receives only from it).
    io::Result<void> connect(const SocketAddr& addr);
    /// The same by "host:port" / (host, port), each address in turn (an IPv4
    /// socket skips ::1 this way); a name blocks this thread while it resolves.
    io::Result<void> connect(std::string_view host_port);
    io::Result<void> connect(std::string_view host, std::uint16_t port);

    Poll<io::Result<std::size_t>> poll_send(Context& cx, std::span<const std::byte> buf) {
        return sock_.poll_send(cx, buf);
    }
    Poll<io::Result<std::size_t>> poll_recv(Context& cx, std::span<std::byte> buf) {
        return sock_.poll_recv(cx, buf);
    }
    Poll<io::Result<std::size_t>> poll_send_to(Context& cx, std::span<const std::byte> buf,
                                               const SocketAddr& target);
    Poll<io::Result<std::pair<std::size_t, SocketAddr>>> poll_recv_from(Context& cx, std::span<std::byte> buf) {
        return poll_recv_from_flags(cx, buf, 0);
    }
    /// poll_recv_from, but the datagram stays queued (MSG_PEEK).
    Poll<io::Result<std::pair<std::size_t, SocketAddr>>> poll_peek_from(Context& cx, std::span<std::byte> buf) {
        return poll_recv_from_flags(cx, buf, MSG_PEEK);
    }

    auto send(std::span<const std::byte> buf) {
        return poll_fn([this, buf](Context& cx) { return poll_send(cx, buf); });
    }
    auto recv(std::span<std::byte> buf) {
        return poll_fn([this, buf](Context& cx) { return poll_recv(cx, buf); });
    }
    auto send_to(std::span<const std::byte> buf, SocketAddr target) {
        return poll_fn([this, buf, target](Context& cx) { return poll_send_to(cx, buf, target); });
    }
    /// To "host:port" or (host, port), resolved first (net/udp_send_to.hpp).
    UdpSendTo send_to(std::span<const std::byte> buf, std::string_view host_port) {
        return UdpSendTo(*this, buf, lookup_host(host_port));
    }
    UdpSendTo send_to(std::span<const std::byte> buf, std::string_view host, std::uint16_t port) {
        return UdpSendTo(*this, buf, lookup_host(std::string(host), port));
    }
    auto recv_from(std::span<std::byte> buf) {
        return poll_fn([this, buf](Context& cx) { return poll_recv_from(cx, buf); });
    }
    /// Ready with the size and sender of the next datagram, copied into `buf`
    /// (truncated if longer) and left queued for the next receive.
    auto peek_from(std::span<std::byte> buf) {
        return poll_fn([this, buf](Context& cx) { return poll_peek_from(cx, buf); });
    }

    /// Waits until some readiness `interest` asks about is there (Tokio's
    /// `ready`): `ready(io::Interest::READABLE | io::Interest::WRITABLE)`.
    ReadyFuture ready(io::Interest interest) { return ReadyFuture(sock_, interest); }
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
    io::Result<unsigned> ttl() const;

    /// Multicast (Tokio's): join / leave a group, on the interface with
    /// address `interface` (v4; unspecified_v4(): the kernel picks) or of
    /// index `interface` (v6; 0: the kernel picks). `multiaddr` of the wrong
    /// family, or not a multicast address, is Err(invalid_argument).
    /// Inside a simulated network these are Err(operation_not_supported).
    io::Result<void> join_multicast_v4(const IpAddr& multiaddr, const IpAddr& interface);
    io::Result<void> leave_multicast_v4(const IpAddr& multiaddr, const IpAddr& interface);
    io::Result<void> join_multicast_v6(const IpAddr& multiaddr, std::uint32_t interface);
    io::Result<void> leave_multicast_v6(const IpAddr& multiaddr, std::uint32_t interface);
    /// Whether this socket's own multicast datagrams loop back to it (and
    /// to the host's other members); on by default.
    io::Result<void> set_multicast_loop_v4(bool on);
    io::Result<bool> multicast_loop_v4() const;
    io::Result<void> set_multicast_loop_v6(bool on);
    io::Result<bool> multicast_loop_v6() const;
    /// Hops a multicast datagram may take (1 by default: the local network).
    io::Result<void> set_multicast_ttl_v4(unsigned ttl);
    io::Result<unsigned> multicast_ttl_v4() const;

    io::Result<void> take_error() { return sock_.take_error(); }
    int as_raw_fd() const { return sock_.fd(); }

private:
    explicit UdpSocket(detail::Socket s) : sock_(std::move(s)) {}
    io::Result<void> membership(int level, int name, const void* value, unsigned len);
    io::Result<void> change_v4_membership(int name, const IpAddr& multiaddr, const IpAddr& interface);
    io::Result<void> change_v6_membership(int name, const IpAddr& multiaddr, std::uint32_t interface);
    Poll<io::Result<std::pair<std::size_t, SocketAddr>>> poll_recv_from_flags(Context& cx, std::span<std::byte> buf,
                                                                              int flags);
    detail::Socket sock_;
};

}  // namespace pollen::net
