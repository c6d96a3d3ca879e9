#pragma once
/// detail::AcceptBackoff and detail::poll_accept: the accept loop shared by
/// TcpListener and UnixListener.
///
/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC. ECONNABORTED (the peer gave up
/// while queued) is skipped. When the process or the system is out of file
/// descriptors (EMFILE, ENFILE, ENOBUFS, ENOMEM), the pending connection stays
/// queued and readiness stays set, so retrying at once would spin: instead a
/// warning is logged (at most once a second) and accepting pauses on a timer,
/// 10 ms at first, doubling up to 1 s while the shortage lasts. The timer
/// wakes the accepting task from the reactor's thread; destroying the
/// listener cancels it.

#include <sys/socket.h>

#include <memory>

#include "../../core/context.hpp"
#include "../../core/io/error.hpp"
#include "../../core/poll.hpp"
#include "../../reactor/sleep.hpp"
#include "socket.hpp"

namespace pollen::net::detail {

class AcceptBackoff {
public:
    /// Pending while a pause is running (the timer holds the waker).
    Poll<void> poll_wait(Context& cx);
    /// After a failed accept: true if `ec` is a descriptor shortage, in which
    /// case a pause has started.
    bool on_error(const io::Error& ec);
    void on_success() { delay_ = kMinDelay; }

private:
    static constexpr time::Duration kMinDelay = std::chrono::milliseconds(10);
    static constexpr time::Duration kMaxDelay = std::chrono::seconds(1);
    // Boxed: a Sleep is pinned once polled, and the listener that owns this may move.
    std::unique_ptr<time::Sleep> sleep_;
    time::Duration delay_ = kMinDelay;
};

/// One accepted connection's fd (the Socket is not made here, so callers
/// choose the type), its address filled into `addr` / `len`.
Poll<io::Result<int>> poll_accept(Socket& listener, AcceptBackoff& backoff, Context& cx,
                                  sockaddr_storage& addr, socklen_t& len);

}  // namespace pollen::net::detail
