#pragma once
/// process::detail::ExitWatch: what wakes a task waiting for a child to
/// exit, without a thread per child. On Linux it is a pidfd (pidfd_open(2))
/// registered with the current reactor: it turns readable when the child
/// exits. Where pidfds are unavailable (kernels before 5.3, seccomp filters)
/// it falls back to a listener of SIGCHLD (reactor/signal.hpp, the reactor's
/// self-pipe), Tokio's way: every SIGCHLD wakes every waiter, which then
/// checks its own child with waitpid(WNOHANG). That installs pollen's
/// process-wide SIGCHLD handler (SA_RESTART, never removed): from then on a
/// child's exit may interrupt calls that are never restarted (poll, sleeps)
/// with EINTR anywhere in the process.
///
/// `poll_changed` is Ready(Ok) when the child may have exited (the caller
/// reaps and, if it still runs, polls again), Pending with the waker stored
/// (in the pidfd's read slot, or the signal listener), Ready(Err(
/// operation_canceled)) once the runtime's reactor is gone. Readiness is
/// consumed by the poll that reports it, so a child still running after a
/// spurious wake-up parks the next poll again. Destroying it deregisters the
/// pidfd or the listener. One waiter at a time.

#include <sys/types.h>

#include <optional>

#include "../../../core/io/error.hpp"
#include "../../../reactor/detail/io_source.hpp"
#include "../../../reactor/signal.hpp"

namespace pollen::process::detail {

class ExitWatch {
public:
    ExitWatch() = default;
    /// A pidfd for `pid` registered with the current reactor, or a SIGCHLD listener.
    static io::Result<ExitWatch> open(pid_t pid);

    ExitWatch(ExitWatch&&) noexcept = default;
    ExitWatch& operator=(ExitWatch&&) noexcept = default;

    Poll<io::Result<void>> poll_changed(Context& cx);
    /// True when it watches through a pidfd (false: SIGCHLD).
    bool uses_pidfd() const { return pidfd_.is_open(); }
    /// Stops watching.
    void reset() {
        pidfd_.reset();
        sigchld_.reset();
    }

private:
    pollen::detail::IoSource pidfd_;
    std::optional<signal::Signal> sigchld_;
};

/// Tests: makes `open` skip the pidfd and use SIGCHLD (process-wide).
void disable_pidfd_for_testing(bool disabled);

}  // namespace pollen::process::detail
