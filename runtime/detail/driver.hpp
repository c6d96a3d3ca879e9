#pragma once
/// Driver: the runtime/reactor seam (Tokio's runtime/driver.rs), and the only
/// place in runtime/ that sees the reactor. It is everything a runtime needs
/// from it: park an idle thread in the reactor (epoll_wait with the next
/// timer as timeout, or a bounded wait), unpark that thread from another one,
/// hold the paused clock's auto-advance while blocking work runs, jump a
/// simulation's virtual clock to its next timer, and shut the reactor down
/// with the runtime.
///
/// One thread at a time parks in the driver: it takes `try_lock()` (Tokio's
/// `TryLock<Driver>`) and parks holding it; the other idle threads sleep on
/// their own condition variables (park.hpp). Busy threads take a
/// non-blocking turn now and then, if no one else holds the lock, so that
/// events are not left waiting.
///
/// Shared by a runtime's parkers, its schedulers and its blocking pool
/// (through shared_ptr); every member may be called from any thread.

#include <cassert>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "../../reactor/detail/reactor.hpp"

namespace pollen::detail {

class Driver {
public:
    /// Held by the one thread allowed to park in the driver.
    using Lock = std::unique_lock<std::mutex>;

    explicit Driver(std::shared_ptr<Reactor> reactor) : reactor_(std::move(reactor)) {}

    /// Owns the lock when no other thread parks in (or turns) the driver.
    Lock try_lock() { return Lock(mu_, std::try_to_lock); }

    /// One turn of the reactor under `held` (from try_lock): waits for I/O, the
    /// next timer or unpark(), at most `timeout` (none: no bound but the
    /// timers; zero: a non-blocking look), then fires what is ready.
    void park(const Lock& held, std::optional<std::chrono::nanoseconds> timeout) {
        assert(held.owns_lock() && held.mutex() == &mu_);
        (void)held;
        reactor_->turn(timeout);
    }

    /// A non-blocking turn (I/O and timers), if no other thread is driving:
    /// busy workers call it now and then so events are not left waiting.
    void try_turn_nonblocking() {
        Lock lock = try_lock();
        if (lock.owns_lock()) park(lock, std::chrono::nanoseconds(0));
    }

    /// Makes the thread parked in the driver return (the reactor's eventfd),
    /// or its next park return at once.
    void unpark() { reactor_->unpark(); }

    /// Held once per blocking task, from its spawn until it completed: while
    /// any is held, a paused clock does not jump to the next timer when the
    /// runtime is idle (Tokio's inhibit_auto_advance); the last release
    /// unparks the driver so that the clock may jump at once.
    void inhibit_auto_advance() { reactor_->inhibit_auto_advance(); }
    void allow_auto_advance() { reactor_->allow_auto_advance(); }

    /// The simulation's idle step, which replaces park (no OS wait): how far
    /// the virtual clock is from the earliest armed timer (nullopt: none),
    /// then the jump there, which fires the timers due.
    std::optional<std::chrono::nanoseconds> next_timer() { return reactor_->wait_for_next_timer(); }
    void advance_clock(std::chrono::nanoseconds d) { reactor_->advance_clock(d); }
    /// The reactor clock's time (virtual in a simulation).
    std::chrono::steady_clock::time_point now() const { return reactor_->clock().now(); }

    /// Closes the reactor with the runtime.
    void shutdown() { reactor_->shutdown(); }

    /// The reactor itself, for the runtime's context (Reactor::EnterGuard)
    /// and for the Builder's clock settings.
    Reactor& reactor() const { return *reactor_; }

private:
    std::shared_ptr<Reactor> reactor_;
    std::mutex mu_;  // held by the thread parked in the reactor
};

}  // namespace pollen::detail
