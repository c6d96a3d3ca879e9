#pragma once
/// TcpListener: a TCP socket listening for connections (Tokio's `TcpListener`).
///
/// `bind(addr)` is synchronous (SO_REUSEADDR; port 0 lets the OS pick, see
/// `local_addr()`), and so are the binds by name, Tokio's
/// `bind(impl ToSocketAddrs)`: `bind("127.0.0.1:8080")`, `bind("[::1]:0")`,
/// `bind("localhost", 8080)` try each address in turn and keep the first
/// that binds (else the last error; malformed text is Err(addr_errc::...),
/// equal to std::errc::invalid_argument). A literal is parsed on the spot,
/// but a name is resolved by getaddrinfo on the calling thread, which blocks
/// until the resolver answers (as std::getaddrinfo does): prefer literals
/// inside tasks, or bind before starting work.
///
/// `accept()` is a future, Ready with the next connection and its peer's
/// address, or an error; `poll_accept(cx)` is the same step for
/// hand-written futures. Pending accepts are woken by the reactor's thread.
/// Connections the peer aborted while queued are skipped; when file
/// descriptors run out, accepting pauses on a growing timer (10 ms to 1 s)
/// with a rate-limited warning instead of spinning. One task accepts at a
/// time (the listener keeps one waker). Destroying an accept future mid-way
/// loses no connection (it stays queued for the next accept); destroying the
/// listener deregisters and closes it.

#include <cstdint>
#include <string_view>
#include <utility>

#include "../core/io/error.hpp"
#include "../core/poll_fn.hpp"
#include "detail/accept_backoff.hpp"
#include "detail/socket.hpp"
#include "socket_addr.hpp"
#include "tcp_stream.hpp"

namespace pollen::net {

class TcpListener {
public:
    /// socket, SO_REUSEADDR, bind, listen.
    static io::Result<TcpListener> bind(const SocketAddr& addr, int backlog = 1024);
    /// "host:port"; a name blocks this thread while it resolves (see above).
    /// No backlog parameter, as in Tokio: `bind("h", 80)` is host and port.
    static io::Result<TcpListener> bind(std::string_view host_port);
    static io::Result<TcpListener> bind(std::string_view host, std::uint16_t port);
    /// Takes ownership of a listening socket's fd and registers it.
    static io::Result<TcpListener> from_fd(int fd);

    TcpListener(TcpListener&&) noexcept = default;
    TcpListener& operator=(TcpListener&&) noexcept = default;

    Poll<io::Result<std::pair<TcpStream, SocketAddr>>> poll_accept(Context& cx);
    /// A future of the next connection; borrows the listener.
    auto accept() {
        return poll_fn([this](Context& cx) { return poll_accept(cx); });
    }

    io::Result<SocketAddr> local_addr() const;
    io::Result<void> set_ttl(unsigned ttl);
    int as_raw_fd() const { return sock_.fd(); }

private:
    explicit TcpListener(detail::Socket s) : sock_(std::move(s)) {}
    detail::Socket sock_;
    detail::AcceptBackoff backoff_;
};

}  // namespace pollen::net
