// detail/exit_watch.hpp's implementation; here because the Makefile compiles .cpp files two folders deep.
#include "detail/exit_watch.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

namespace pollen::process::detail {

namespace {

std::atomic<bool> g_pidfd_disabled{false};

/// pidfd_open(2) through syscall(): glibc has a wrapper only since 2.36.
int open_pidfd(pid_t pid) {
#if defined(__linux__) && defined(SYS_pidfd_open)
    if (g_pidfd_disabled.load(std::memory_order_relaxed)) {
        errno = ENOSYS;
        return -1;
    }
    // The fd is close-on-exec: pidfd_open sets O_CLOEXEC itself.
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

}  // namespace

void disable_pidfd_for_testing(bool disabled) { g_pidfd_disabled.store(disabled, std::memory_order_relaxed); }

io::Result<ExitWatch> ExitWatch::open(pid_t pid) {
    ExitWatch w;
    int fd = open_pidfd(pid);
    if (fd >= 0) {
        std::error_code ec;
        w.pidfd_ = pollen::detail::IoSource(fd, ec);
        if (!ec) return Ok(std::move(w));
        // Registration failed (it closed the fd): the signal may still work.
    }
    auto sig = signal::signal(SIGCHLD);
    if (!sig) return Err(sig.error());
    w.sigchld_.emplace(std::move(*sig));
    return Ok(std::move(w));
}

Poll<io::Result<void>> ExitWatch::poll_changed(Context& cx) {
    using R = io::Result<void>;
    if (pidfd_.is_open()) {
        auto p = pidfd_.poll_ready(cx, pollen::detail::Direction::Read);
        if (p.is_pending()) return pending;
        pollen::detail::ReadyEvent ev = p.take();
        if (ev.ready & pollen::detail::readiness::kShutdown)
            return ready(R(Err(io::error(std::errc::operation_canceled))));
        // Consumed: unless a newer event arrived meanwhile, the next poll parks.
        pidfd_.clear_readiness(ev, pollen::detail::Direction::Read);
        return ready(R(Ok()));
    }
    if (sigchld_) {
        auto p = sigchld_->poll_recv(cx);
        if (p.is_pending()) return pending;
        if (!p.take()) return ready(R(Err(io::error(std::errc::operation_canceled))));
        return ready(R(Ok()));
    }
    return ready(R(Err(io::error(std::errc::bad_file_descriptor))));
}

}  // namespace pollen::process::detail
