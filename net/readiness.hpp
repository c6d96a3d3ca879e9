#pragma once
/// net::Readiness: the future of `readable()` / `writable()` on a socket
/// (Tokio's `TcpStream::readable().await`), Ready with Ok() once the reactor
/// reports the direction ready, or Err(operation_canceled) if the runtime's
/// reactor shut down.
///
/// Readiness can be spurious: follow it with `try_read` / `try_write`, whose
/// Err(operation_would_block) clears it so the next `readable()` waits again.
/// Woken by the reactor's thread. One waiter per direction per socket (a
/// second task waiting on the same direction replaces the first's waker).
/// Destroying it mid-way only leaves a stale waker in the socket's slot,
/// which the next readiness or the socket's destruction drops.
/// It borrows the socket, which must outlive it.

#include "../core/future_ext.hpp"
#include "detail/socket.hpp"

namespace pollen::net {

class Readiness : public FutureExt<Readiness> {
public:
    using Output = io::Result<void>;

    Readiness(detail::Socket& socket, detail::Direction dir) : socket_(&socket), dir_(dir) {}

    Poll<Output> poll(Context& cx) { return socket_->poll_ready(cx, dir_); }

private:
    detail::Socket* socket_;
    detail::Direction dir_;
};

}  // namespace pollen::net
