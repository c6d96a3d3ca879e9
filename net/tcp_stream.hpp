#pragma once
/// TcpStream: a connected TCP socket (Tokio's `TcpStream`), an AsyncRead and
/// AsyncWrite, so every future of core/io (read, read_exact, write_all, copy...)
/// works on it.
///
/// `connect(addr)` is a future (see net/connect.hpp). `poll_read` is Ready with
/// the bytes received (0: the peer shut its write side down), `poll_write`
/// with the bytes the kernel accepted; both return Pending on EAGAIN and are
/// woken by the reactor's thread. A peer reset is an error value
/// (connection_reset, broken_pipe): sends use MSG_NOSIGNAL, never SIGPIPE.
/// `poll_shutdown` is shutdown(SHUT_WR), a half-close: the peer reads end of
/// stream and may still write back. `poll_flush` has nothing to flush.
///
/// One read and one write may be in flight at once, from different tasks
/// (see `into_split`). Destroying a future mid-way leaves the stream usable;
/// destroying the stream deregisters it from the reactor, then closes it
/// (pending futures on it must be gone first, as with any borrowed reader).

#include <chrono>
#include <optional>
#include <span>
#include <utility>

#include "../core/io/async_write.hpp"
#include "../core/io/error.hpp"
#include "connect.hpp"
#include "detail/socket.hpp"
#include "owned_split.hpp"
#include "readiness.hpp"
#include "socket_addr.hpp"

namespace pollen::net {

class TcpStream;

namespace tcp {
using OwnedReadHalf = net::OwnedReadHalf<TcpStream>;
using OwnedWriteHalf = net::OwnedWriteHalf<TcpStream>;
}  // namespace tcp

class TcpStream {
public:
    /// Connects to `addr`; the future's first poll starts the attempt.
    static Connect<TcpStream> connect(const SocketAddr& addr);
    /// Takes ownership of a connected TCP socket's fd and registers it.
    static io::Result<TcpStream> from_fd(int fd);

    explicit TcpStream(detail::Socket socket) : sock_(std::move(socket)) {}
    TcpStream(TcpStream&&) noexcept = default;
    TcpStream& operator=(TcpStream&&) noexcept = default;

    // ---- AsyncRead / AsyncWrite ----
    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        // recv of 0 bytes would wait for data only to report 0.
        if (buf.empty()) return ready(io::Result<std::size_t>(Ok(std::size_t{0})));
        return sock_.poll_recv(cx, buf, /*byte_stream=*/true);
    }
    Poll<io::Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf) {
        if (buf.empty()) return ready(io::Result<std::size_t>(Ok(std::size_t{0})));
        return sock_.poll_send(cx, buf, /*byte_stream=*/true);
    }
    Poll<io::Result<std::size_t>> poll_write_vectored(Context& cx, io::IoSlices bufs) {
        return sock_.poll_send_vectored(cx, bufs);
    }
    Poll<io::Result<void>> poll_flush(Context&) { return ready(io::Result<void>(Ok())); }
    Poll<io::Result<void>> poll_shutdown(Context&);

    // ---- readiness and single attempts ----
    Poll<io::Result<void>> poll_read_ready(Context& cx) { return sock_.poll_ready(cx, detail::Direction::Read); }
    Poll<io::Result<void>> poll_write_ready(Context& cx) { return sock_.poll_ready(cx, detail::Direction::Write); }
    Readiness readable() { return Readiness(sock_, detail::Direction::Read); }
    Readiness writable() { return Readiness(sock_, detail::Direction::Write); }
    /// One recv; Err(operation_would_block) when nothing is there.
    io::Result<std::size_t> try_read(std::span<std::byte> buf) { return sock_.try_recv(buf); }
    /// One send; Err(operation_would_block) when the send buffer is full.
    io::Result<std::size_t> try_write(std::span<const std::byte> buf) { return sock_.try_send(buf); }

    // ---- addresses and options ----
    io::Result<SocketAddr> local_addr() const;
    io::Result<SocketAddr> peer_addr() const;
    /// TCP_NODELAY: send small segments at once instead of batching (Nagle off).
    io::Result<void> set_nodelay(bool on);
    io::Result<bool> nodelay() const;
    /// SO_LINGER. Some(0s) makes closing send a reset (RST) instead of FIN.
    io::Result<void> set_linger(std::optional<std::chrono::seconds> linger);
    io::Result<void> set_ttl(unsigned ttl);
    io::Result<unsigned> ttl() const;
    /// SO_ERROR, consumed.
    io::Result<void> take_error() { return sock_.take_error(); }

    /// Two halves sharing this stream, to read and write from different tasks.
    std::pair<tcp::OwnedReadHalf, tcp::OwnedWriteHalf> into_split() &&;

    int as_raw_fd() const { return sock_.fd(); }

private:
    detail::Socket sock_;
};

inline Connect<TcpStream> TcpStream::connect(const SocketAddr& addr) {
    sockaddr_storage ss;
    socklen_t len = addr.to_sockaddr(ss);
    return Connect<TcpStream>(detail::ConnectSocket(ss, len));
}

}  // namespace pollen::net
