#pragma once
/// TcpListener: a TCP socket listening for connections (Tokio's `TcpListener`).
///
/// `bind(addr)` is synchronous (SO_REUSEADDR; port 0 lets the OS pick, see
/// `local_addr()`). `accept()` is a future, Ready with the next connection and
/// its peer's address, or an error; `poll_accept(cx)` is the same step for
/// hand-written futures. Pending accepts are woken by the reactor's thread.
/// Connections the peer aborted while queued are skipped; when file
/// descriptors run out, accepting pauses on a growing timer (10 ms to 1 s)
/// with a rate-limited warning instead of spinning. One task accepts at a
/// time (the listener keeps one waker). Destroying an accept future mid-way
/// loses no connection (it stays queued for the next accept); destroying the
/// listener deregisters and closes it.

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
