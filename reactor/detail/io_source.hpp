#pragma once
/// IoSource: a non-blocking file descriptor registered with the current
/// runtime's reactor (Tokio's PollEvented). It owns the fd (an OwnedFd):
/// destroying it deregisters, then closes. Sockets, pipes and signalfd are
/// built on it.
///
/// `poll_io(cx, dir, op)` is the one loop every leaf I/O future runs: wait
/// until the reactor reports readiness for `dir`, try the syscall `op`; on
/// EAGAIN clear that readiness (unless newer readiness arrived meanwhile, see
/// ScheduledIo) and wait again; retry EINTR; anything else is the result. A
/// reader and a writer may poll one IoSource from two tasks at once.

#include <cerrno>
#include <memory>
#include <system_error>
#include <utility>

#include "../../core/coop.hpp"
#include "../../core/detail/owned_fd.hpp"
#include "../../core/result.hpp"
#include "scheduled_io.hpp"

namespace pollen::detail {

class Reactor;

class IoSource {
public:
    IoSource() = default;
    /// Takes ownership of `fd` (made non-blocking) and registers it with the
    /// current reactor; on failure `ec` is set and the fd is closed.
    IoSource(int fd, std::error_code& ec);
    IoSource(IoSource&& other) noexcept
        : fd_(std::move(other.fd_)), io_(std::exchange(other.io_, nullptr)),
          reactor_(std::move(other.reactor_)) {}
    IoSource& operator=(IoSource&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::move(other.fd_);
            io_ = std::exchange(other.io_, nullptr);
            reactor_ = std::move(other.reactor_);
        }
        return *this;
    }
    ~IoSource() { reset(); }

    int fd() const { return fd_.get(); }
    bool is_open() const { return fd_.get() >= 0; }

    Poll<ReadyEvent> poll_ready(Context& cx, Direction dir) { return io_->poll_ready(cx, dir); }
    Poll<ReadyEvent> poll_ready(Context& cx, io::Interest interest) { return io_->poll_ready(cx, interest); }
    void clear_readiness(ReadyEvent ev, Direction dir) { io_->clear_readiness(ev, dir); }

    /// Runs `op()` (returning the syscall's result, -1 with errno on failure)
    /// when `dir` is ready. Ready with the non-negative result or the error.
    ///
    /// `requested` is for byte streams only (TCP, Unix stream, pipes): the
    /// bytes `op` asked to move. Fewer moved (but some) means the kernel's
    /// buffer is now empty (read) or full (write), so the readiness is cleared
    /// at once and the next call waits for the next edge instead of spending
    /// a syscall to hear EAGAIN, as Tokio's PollEvented does. Datagram and
    /// accept calls leave it 0: a short datagram says nothing about the queue.
    template <class Op>
    Poll<Result<std::size_t, std::error_code>> poll_io(Context& cx, Direction dir, Op&& op,
                                                      std::size_t requested = 0) {
        using R = Result<std::size_t, std::error_code>;
        if (!coop::poll_proceed(cx)) return pending;
        for (;;) {
            auto p = io_->poll_ready(cx, dir);
            if (p.is_pending()) {
                coop::refund();
                return pending;
            }
            ReadyEvent ev = p.take();
            if (ev.ready & readiness::kShutdown)
                return Ready<R>{R(Err(std::make_error_code(std::errc::operation_canceled)))};
            for (;;) {
                auto n = op();
                if (n >= 0) {
                    auto moved = static_cast<std::size_t>(n);
                    if (moved > 0 && moved < requested) io_->clear_readiness(ev, dir);
                    return Ready<R>{R(Ok(moved))};
                }
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                return Ready<R>{R(Err(std::error_code(errno, std::generic_category())))};
            }
            io_->clear_readiness(ev, dir);
            // Closed bits are final, so a syscall that keeps saying
            // EAGAIN despite them would loop here forever; the budget bounds
            // each poll and lets other tasks (and timeouts) run.
            if (!coop::poll_proceed(cx)) return pending;
        }
    }

    /// Deregisters and closes now (idempotent).
    void reset();
    /// Deregisters and gives the fd back to the caller (still non-blocking).
    int release();

private:
    // Closed only after deregistering (reset), so the reactor never sees a
    // number that another thread may already have been given again.
    OwnedFd fd_;
    ScheduledIo* io_ = nullptr;
    std::shared_ptr<Reactor> reactor_;
};

}  // namespace pollen::detail
