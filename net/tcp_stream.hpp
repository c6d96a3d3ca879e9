#pragma once
/// TcpStream: a connected TCP socket (Tokio's `TcpStream`), an AsyncRead and
/// AsyncWrite, so every future of core/io (read, read_exact, write_all, copy...)
/// works on it.
///
/// `connect(addr)` is a future (see net/connect.hpp); so are the connects by
/// name or list, Tokio's `connect(impl ToSocketAddrs)`: `connect("host:port")`,
/// `connect("localhost", 6379)`, `connect("[::1]:80")`, `connect({a, b})`
/// (a `tcp::ConnectEach`). A literal is parsed, a name resolved with lookup_host on the blocking
/// pool, and each address tried in turn until one connects (the first
/// success, else the last error; malformed text is Err(addr_errc::...),
/// equal to std::errc::invalid_argument). `poll_read` is Ready with
/// the bytes received (0: the peer shut its write side down), `poll_write`
/// with the bytes the kernel accepted; both return Pending on EAGAIN and are
/// woken by the reactor's thread. A peer reset is an error value
/// (connection_reset, broken_pipe): sends use MSG_NOSIGNAL, never SIGPIPE.
/// `poll_shutdown` is shutdown(SHUT_WR), a half-close: the peer reads end of
/// stream and may still write back; after the peer reset the connection it
/// is Ok, as in Tokio (the OS's ENOTCONN is not reported). `poll_flush` has
/// nothing to flush. `ready(interest)` is Ready with the io::Ready that
/// answers an io::Interest (readable, writable, read/write closed, error;
/// net/readiness.hpp); `readable()` / `writable()` are its one-direction forms.
/// `peek(buf)` / `poll_peek` (recv with MSG_PEEK) are Ready with the bytes
/// copied without taking them off the socket: the next read or peek sees them
/// again (0: end of stream); like a read, they wait for data, and share the
/// read direction's waker slot.
///
/// One read and one write may be in flight at once, from different tasks
/// (see `into_split`). Destroying a future mid-way leaves the stream usable;
/// destroying the stream deregisters it from the reactor, then closes it
/// (pending futures on it must be gone first, as with any borrowed reader).

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../core/io/async_write.hpp"
#include "../core/io/error.hpp"
#include "../core/poll_fn.hpp"
#include "connect.hpp"
#include "detail/connect_each.hpp"
#include "detail/socket.hpp"
#include "lookup_host.hpp"
#include "owned_split.hpp"
#include "readiness.hpp"
#include "socket_addr.hpp"

namespace pollen::net {

class TcpStream;

namespace tcp {
using OwnedReadHalf = net::OwnedReadHalf<TcpStream>;
using OwnedWriteHalf = net::OwnedWriteHalf<TcpStream>;
/// The future of a connect by name or by list (net/connect.hpp).
using ConnectEach = Connect<TcpStream, detail::ConnectEach>;
}  // namespace tcp

class TcpStream {
public:
    /// Connects to `addr`; the future's first poll starts the attempt.
    static Connect<TcpStream> connect(const SocketAddr& addr);
    /// Connects to "host:port" ("127.0.0.1:6379", "[::1]:80", "localhost:6379"),
    /// trying each address the name resolves to in turn.
    static tcp::ConnectEach connect(std::string_view host_port);
    /// Connects to `host` ("localhost", "::1", "example.com") on `port`.
    static tcp::ConnectEach connect(std::string_view host, std::uint16_t port);
    /// Tries each of `addrs` in turn (Tokio's `connect(&[SocketAddr])`).
    static tcp::ConnectEach connect(std::vector<SocketAddr> addrs);
    /// Takes ownership of a connected TCP socket's fd and registers it.
    static io::Result<TcpStream> from_fd(int fd);

    explicit TcpStream(detail::Socket socket) : sock_(std::move(socket)) {}
    TcpStream(TcpStream&&) noexcept = default;
    TcpStream& operator=(TcpStream&&) noexcept = default;

    // ---- AsyncRead / AsyncWrite ----
    Poll<io::Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> buf) {
        // recv of 0 bytes would wait for data only to report 0.
        if (buf.empty()) return pollen::ready(io::Result<std::size_t>(Ok(std::size_t{0})));
        return sock_.poll_recv(cx, buf, /*byte_stream=*/true);
    }
    Poll<io::Result<std::size_t>> poll_write(Context& cx, std::span<const std::byte> buf) {
        if (buf.empty()) return pollen::ready(io::Result<std::size_t>(Ok(std::size_t{0})));
        return sock_.poll_send(cx, buf, /*byte_stream=*/true);
    }
    Poll<io::Result<std::size_t>> poll_write_vectored(Context& cx, io::IoSlices bufs) {
        return sock_.poll_send_vectored(cx, bufs);
    }
    Poll<io::Result<void>> poll_flush(Context&) { return pollen::ready(io::Result<void>(Ok())); }
    Poll<io::Result<void>> poll_shutdown(Context&);

    /// Copies queued bytes into `buf` without taking them (MSG_PEEK).
    Poll<io::Result<std::size_t>> poll_peek(Context& cx, std::span<std::byte> buf) {
        if (buf.empty()) return pollen::ready(io::Result<std::size_t>(Ok(std::size_t{0})));
        return sock_.poll_recv(cx, buf, /*byte_stream=*/true, MSG_PEEK);
    }
    /// A future of poll_peek; borrows the stream and `buf`.
    auto peek(std::span<std::byte> buf) {
        return poll_fn([this, buf](Context& cx) { return poll_peek(cx, buf); });
    }

    // ---- readiness and single attempts ----
    Poll<io::Result<void>> poll_read_ready(Context& cx) { return sock_.poll_ready(cx, detail::Direction::Read); }
    Poll<io::Result<void>> poll_write_ready(Context& cx) { return sock_.poll_ready(cx, detail::Direction::Write); }
    /// Waits until some readiness `interest` asks about is there (Tokio's
    /// `ready`): `ready(io::Interest::READABLE | io::Interest::WRITABLE)`.
    ReadyFuture ready(io::Interest interest) { return ReadyFuture(sock_, interest); }
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

inline tcp::ConnectEach TcpStream::connect(std::string_view host_port) {
    return tcp::ConnectEach(detail::ConnectEach(lookup_host(host_port)));
}

inline tcp::ConnectEach TcpStream::connect(std::string_view host, std::uint16_t port) {
    return tcp::ConnectEach(detail::ConnectEach(lookup_host(std::string(host), port)));
}

inline tcp::ConnectEach TcpStream::connect(std::vector<SocketAddr> addrs) {
    return tcp::ConnectEach(detail::ConnectEach(LookupHost(std::move(addrs))));
}

}  // namespace pollen::net
