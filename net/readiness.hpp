#pragma once
/// net::ReadyFuture / net::Readiness: the futures of a socket's
/// `ready(interest)` and of `readable()` / `writable()` (Tokio's
/// `stream.ready(Interest::READABLE | Interest::WRITABLE).await`,
/// `stream.readable().await`).
///
/// ReadyFuture is Ready with the io::Ready that answers the interest (never
/// empty: readable, writable, read or write closed, error, only the kinds
/// asked for), Readiness with Ok() once its direction is; both with
/// Err(operation_canceled) if the runtime's reactor shut down. The closed
/// bits are final: once the peer hung up, every later `ready` says so at once.
///
/// Readiness can be spurious: follow it with `try_read` / `try_write`, whose
/// Err(operation_would_block) clears it so the next wait waits again.
/// Woken by the reactor's thread. One waiter per direction per socket (a
/// second task waiting on the same direction replaces the first's waker; a
/// READABLE | WRITABLE wait takes both directions' places, and ERROR the
/// read direction's). Destroying one mid-way only leaves a stale waker in
/// the socket's slot, which the next readiness or the socket's destruction
/// drops. They borrow the socket, which must outlive them.

#include <string>

#include "../core/future_ext.hpp"
#include "../reactor/interest.hpp"
#include "../reactor/ready.hpp"
#include "detail/socket.hpp"

namespace pollen::net {

class ReadyFuture : public FutureExt<ReadyFuture> {
public:
    using Output = io::Result<io::Ready>;

    ReadyFuture(detail::Socket& socket, io::Interest interest) : socket_(&socket), interest_(interest) {}

    Poll<Output> poll(Context& cx) { return socket_->poll_ready(cx, interest_); }

    /// For task dumps (core/trace.hpp): the socket's fd and the interest.
    void describe(TraceVisitor& v) const {
        std::string what;
        if (interest_.is_readable()) what += "readable";
        if (interest_.is_writable()) what += what.empty() ? "writable" : " or writable";
        if (interest_.is_error()) what += what.empty() ? "error" : " or error";
        v.waits_on("socket fd " + std::to_string(socket_->fd()) + " readiness (waits until " + what + ")");
    }

private:
    detail::Socket* socket_;
    io::Interest interest_;
};

class Readiness : public FutureExt<Readiness> {
public:
    using Output = io::Result<void>;

    Readiness(detail::Socket& socket, detail::Direction dir) : socket_(&socket), dir_(dir) {}

    Poll<Output> poll(Context& cx) { return socket_->poll_ready(cx, dir_); }

    /// For task dumps (core/trace.hpp): the socket's fd and the direction.
    void describe(TraceVisitor& v) const {
        v.waits_on("socket fd " + std::to_string(socket_->fd()) + " readiness (waits until " +
                   (dir_ == detail::Direction::Read ? "readable" : "writable") + ")");
    }

private:
    detail::Socket* socket_;
    detail::Direction dir_;
};

}  // namespace pollen::net
