#pragma once
/// UnixDatagram: a Unix domain datagram socket (Tokio's `UnixDatagram`).
///
/// `bind(path)` binds at a filesystem path (removing the file afterwards is
/// the caller's job, as in Tokio) or, with a leading '\0', at an abstract
/// name (Linux); `unbound()` makes one with no address, which can still
/// send; `pair()` two connected to each other. `connect(path)` is
/// synchronous: it records the default peer and receives only from it.
///
/// The futures `send`/`recv` (to and from the connected peer) and
/// `send_to`/`recv_from` each move one datagram, boundaries kept; a datagram
/// longer than the buffer is truncated and the excess dropped, as in Tokio.
/// They are Ready with the byte count (and the sender's UnixSocketAddr for
/// recv_from: unnamed when it was not bound), or an error value; Pending
/// while the socket would block, woken by the reactor's thread. `ready`,
/// `readable`, `writable` and the `try_*` calls are TcpStream's (see
/// net/readiness.hpp). One task may receive while another sends.
/// Destroying a future mid-way sends or takes nothing (cancel safe); the
/// futures borrow the socket (and their buffers), which must outlive them.
/// Destroying the socket deregisters it from the reactor, then closes it.
///
/// Distinct sockets: safe from any threads; one socket: one receiving and
/// one sending task at a time.

#include <span>
#include <string_view>
#include <utility>

#include "../core/io/error.hpp"
#include "../core/poll_fn.hpp"
#include "../reactor/interest.hpp"
#include "detail/datagram.hpp"
#include "detail/socket.hpp"
#include "readiness.hpp"
#include "unix_socket_addr.hpp"

namespace pollen::net {

class UnixDatagram {
public:
    /// Binds at `path` ("\0name": an abstract name).
    static io::Result<UnixDatagram> bind(std::string_view path);
    /// A socket with no address: it can send (its datagrams' sender is unnamed).
    static io::Result<UnixDatagram> unbound();
    /// Two sockets connected to each other (socketpair).
    static io::Result<std::pair<UnixDatagram, UnixDatagram>> pair();
    /// Takes ownership of a Unix datagram socket's fd and registers it.
    static io::Result<UnixDatagram> from_fd(int fd);

    UnixDatagram(UnixDatagram&&) noexcept = default;
    UnixDatagram& operator=(UnixDatagram&&) noexcept = default;

    /// Sets the default peer for send/recv (and receives only from it).
    io::Result<void> connect(std::string_view path);

    Poll<io::Result<std::size_t>> poll_send(Context& cx, std::span<const std::byte> buf) {
        return sock_.poll_send(cx, buf);
    }
    Poll<io::Result<std::size_t>> poll_recv(Context& cx, std::span<std::byte> buf) {
        return sock_.poll_recv(cx, buf);
    }
    Poll<io::Result<std::size_t>> poll_send_to(Context& cx, std::span<const std::byte> buf,
                                               const UnixSocketAddr& target) {
        return detail::poll_send_to(sock_, cx, buf, target);
    }
    Poll<io::Result<std::pair<std::size_t, UnixSocketAddr>>> poll_recv_from(Context& cx, std::span<std::byte> buf) {
        return detail::poll_recv_from<UnixSocketAddr>(sock_, cx, buf);
    }

    auto send(std::span<const std::byte> buf) {
        return poll_fn([this, buf](Context& cx) { return poll_send(cx, buf); });
    }
    auto recv(std::span<std::byte> buf) {
        return poll_fn([this, buf](Context& cx) { return poll_recv(cx, buf); });
    }

private:
    // One future type for both send_to overloads (defined before them: its
    // return type is deduced).
    auto send_to_result(std::span<const std::byte> buf, io::Result<UnixSocketAddr> target) {
        return poll_fn([this, buf, target = std::move(target)](Context& cx) -> Poll<io::Result<std::size_t>> {
            if (!target) return pollen::ready(io::Result<std::size_t>(Err(target.error())));
            return poll_send_to(cx, buf, target.value());
        });
    }

public:
    /// To the socket bound at `path` ("\0name": abstract); a path that cannot
    /// be an address is the future's error.
    auto send_to(std::span<const std::byte> buf, std::string_view path) {
        return send_to_result(buf, UnixSocketAddr::from_pathname(path));
    }
    /// To `target`, e.g. the sender recv_from reported.
    auto send_to(std::span<const std::byte> buf, const UnixSocketAddr& target) {
        return send_to_result(buf, io::Result<UnixSocketAddr>(Ok(target)));
    }
    auto recv_from(std::span<std::byte> buf) {
        return poll_fn([this, buf](Context& cx) { return poll_recv_from(cx, buf); });
    }

    // ---- readiness and single attempts ----
    ReadyFuture ready(io::Interest interest) { return ReadyFuture(sock_, interest); }
    Readiness readable() { return Readiness(sock_, detail::Direction::Read); }
    Readiness writable() { return Readiness(sock_, detail::Direction::Write); }
    Poll<io::Result<void>> poll_recv_ready(Context& cx) { return sock_.poll_ready(cx, detail::Direction::Read); }
    Poll<io::Result<void>> poll_send_ready(Context& cx) { return sock_.poll_ready(cx, detail::Direction::Write); }
    /// One attempt each; Err(operation_would_block) when the socket would block.
    io::Result<std::size_t> try_send(std::span<const std::byte> buf) { return sock_.try_send(buf); }
    io::Result<std::size_t> try_recv(std::span<std::byte> buf) { return sock_.try_recv(buf); }
    io::Result<std::size_t> try_send_to(std::span<const std::byte> buf, std::string_view path);
    io::Result<std::size_t> try_send_to(std::span<const std::byte> buf, const UnixSocketAddr& target) {
        return detail::try_send_to(sock_, buf, target);
    }
    io::Result<std::pair<std::size_t, UnixSocketAddr>> try_recv_from(std::span<std::byte> buf) {
        return detail::try_recv_from<UnixSocketAddr>(sock_, buf);
    }

    io::Result<UnixSocketAddr> local_addr() const;
    io::Result<UnixSocketAddr> peer_addr() const;
    /// SO_ERROR, consumed.
    io::Result<void> take_error() { return sock_.take_error(); }
    int as_raw_fd() const { return sock_.fd(); }

private:
    explicit UnixDatagram(detail::Socket s) : sock_(std::move(s)) {}

    detail::Socket sock_;
};

}  // namespace pollen::net
