#pragma once
/// TcpSocket: a TCP socket not yet connected or listening (Tokio's
/// `TcpSocket`), to set options that must come before bind, listen or
/// connect: SO_REUSEADDR, SO_REUSEPORT (several listeners sharing a port),
/// buffer sizes, keep-alive, TCP_NODELAY, SO_LINGER, or a local address for
/// an outgoing connection.
///
///     auto sock = net::TcpSocket::new_v4().value();
///     sock.set_reuseport(true);
///     sock.bind(addr);
///     auto listener = std::move(sock).listen(1024);        // io::Result<TcpListener>
///     // or: rt.block_on(std::move(sock).connect(peer))   // io::Result<TcpStream>
///
/// The option calls and bind are synchronous. `listen` consumes the socket
/// and registers the listener with the current reactor (so it needs a
/// runtime, as TcpListener::bind does). `connect` consumes it too and gives
/// the same future as TcpStream::connect (net/connect.hpp): its first poll
/// starts the connect; destroying it mid-way closes the socket. Destroying
/// an unused TcpSocket closes it.
///
/// Inside a simulation (Builder::new_simulation) creating one throws
/// std::logic_error, as every real socket does there: the simulated network
/// serves TcpListener::bind and TcpStream::connect only.
///
/// Threads: distinct objects: safe; shared objects: unsafe.

#include <chrono>
#include <cstdint>
#include <optional>

#include "../core/detail/owned_fd.hpp"
#include "../core/io/error.hpp"
#include "connect.hpp"
#include "socket_addr.hpp"
#include "tcp_listener.hpp"
#include "tcp_stream.hpp"

namespace pollen::net {

class TcpSocket {
public:
    /// An IPv4 / IPv6 TCP socket (non-blocking, close-on-exec).
    static io::Result<TcpSocket> new_v4();
    static io::Result<TcpSocket> new_v6();

    TcpSocket(TcpSocket&&) noexcept = default;
    TcpSocket& operator=(TcpSocket&&) noexcept = default;

    io::Result<void> set_reuseaddr(bool on);
    io::Result<bool> reuseaddr() const;
    io::Result<void> set_reuseport(bool on);
    io::Result<bool> reuseport() const;
    /// SO_SNDBUF / SO_RCVBUF. Linux doubles the value asked for (its own
    /// bookkeeping), and the getters report what it keeps, as Tokio's do.
    io::Result<void> set_send_buffer_size(std::uint32_t size);
    io::Result<std::uint32_t> send_buffer_size() const;
    io::Result<void> set_recv_buffer_size(std::uint32_t size);
    io::Result<std::uint32_t> recv_buffer_size() const;
    io::Result<void> set_keepalive(bool on);
    io::Result<bool> keepalive() const;
    io::Result<void> set_nodelay(bool on);
    io::Result<bool> nodelay() const;
    /// SO_LINGER: nullopt turns it off.
    io::Result<void> set_linger(std::optional<std::chrono::seconds> linger);
    io::Result<std::optional<std::chrono::seconds>> linger() const;

    /// bind(2) to a local address (port 0: the OS picks; see local_addr).
    io::Result<void> bind(const SocketAddr& addr);
    io::Result<SocketAddr> local_addr() const;

    /// listen(2), then a TcpListener registered with the current reactor.
    io::Result<TcpListener> listen(int backlog) &&;
    /// The connect future (as TcpStream::connect's), from this socket.
    Connect<TcpStream> connect(const SocketAddr& addr) &&;

    int as_raw_fd() const { return fd_.get(); }

private:
    explicit TcpSocket(pollen::detail::OwnedFd fd) : fd_(std::move(fd)) {}
    static io::Result<TcpSocket> make(int domain);
    io::Result<void> set_int(int level, int name, int value);
    io::Result<int> get_int(int level, int name) const;

    pollen::detail::OwnedFd fd_;
};

}  // namespace pollen::net
