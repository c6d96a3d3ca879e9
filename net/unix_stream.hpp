#pragma once
/// UnixStream: a connected Unix domain stream socket (Tokio's `UnixStream`),
/// an AsyncRead and AsyncWrite like TcpStream.
///
/// `connect(path)` is a future (net/connect.hpp); `pair()` makes two
/// connected streams at once. `poll_read` / `poll_write` are Ready with the
/// bytes moved or an error value (sends use MSG_NOSIGNAL: never SIGPIPE) and
/// Pending on EAGAIN, woken by the reactor's thread. `poll_shutdown` is
/// shutdown(SHUT_WR): the peer reads end of stream and may still write back;
/// after the peer went it is Ok (as TcpStream's). `ready(interest)`,
/// `readable()`, `writable()` and the try_* calls are TcpStream's.
/// One read and one write may be in flight at once, from different tasks
/// (`into_split`). Destroying a future mid-way leaves the stream usable;
/// destroying the stream deregisters it, then closes it.

#include <span>
#include <string_view>
#include <utility>

#include "../core/io/async_write.hpp"
#include "../core/io/error.hpp"
#include "connect.hpp"
#include "detail/socket.hpp"
#include "owned_split.hpp"
#include "readiness.hpp"
#include "unix_socket_addr.hpp"

namespace pollen::net {

class UnixStream;

using UnixOwnedReadHalf = OwnedReadHalf<UnixStream>;
using UnixOwnedWriteHalf = OwnedWriteHalf<UnixStream>;

class UnixStream {
public:
    /// Connects to the socket bound at `path`; the first poll starts it.
    static Connect<UnixStream> connect(std::string_view path);
    /// Two streams connected to each other (socketpair).
    static io::Result<std::pair<UnixStream, UnixStream>> pair();
    /// Takes ownership of a connected Unix stream socket's fd and registers it.
    static io::Result<UnixStream> from_fd(int fd);

    explicit UnixStream(detail::Socket socket) : sock_(std::move(socket)) {}
    UnixStream(UnixStream&&) noexcept = default;
    UnixStream& operator=(UnixStream&&) noexcept = default;

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

    Poll<io::Result<void>> poll_read_ready(Context& cx) { return sock_.poll_ready(cx, detail::Direction::Read); }
    Poll<io::Result<void>> poll_write_ready(Context& cx) { return sock_.poll_ready(cx, detail::Direction::Write); }
    /// Waits until some readiness `interest` asks about is there (Tokio's
    /// `ready`): `ready(io::Interest::READABLE | io::Interest::WRITABLE)`.
    ReadyFuture ready(io::Interest interest) { return ReadyFuture(sock_, interest); }
    Readiness readable() { return Readiness(sock_, detail::Direction::Read); }
    Readiness writable() { return Readiness(sock_, detail::Direction::Write); }
    io::Result<std::size_t> try_read(std::span<std::byte> buf) { return sock_.try_recv(buf); }
    io::Result<std::size_t> try_write(std::span<const std::byte> buf) { return sock_.try_send(buf); }

    io::Result<UnixSocketAddr> local_addr() const;
    io::Result<UnixSocketAddr> peer_addr() const;
    io::Result<void> take_error() { return sock_.take_error(); }

    std::pair<UnixOwnedReadHalf, UnixOwnedWriteHalf> into_split() &&;

    int as_raw_fd() const { return sock_.fd(); }

private:
    detail::Socket sock_;
};

}  // namespace pollen::net
