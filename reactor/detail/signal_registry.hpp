#pragma once
/// The machinery behind pollen::signal (internal): the process-wide
/// registry of listeners and, per reactor, the driver that drains the
/// self-pipe. Only reactor/signal.cpp and tests include it.
///
/// A delivery travels: handler (any thread, async-signal context) sets the
/// signal's pending flag, writes a byte to the pipe -> the reactor reports
/// the pipe's read end readable and calls the driver's waker on its thread ->
/// the driver drains the pipe, then for every flag it clears adds one to the
/// count of each listener of that signal and wakes it. Draining before reading
/// the flags means a signal that lands in between leaves both a flag and a
/// fresh byte, so it is seen on this pass or the next.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <system_error>

#include "../../core/atomic_waker.hpp"
#include "../../core/waker.hpp"
#include "io_source.hpp"

namespace pollen::detail {
class Reactor;
}

namespace pollen::signal::detail {

class Driver;

/// One Signal's state, owned by the Signal, linked into the registry while alive.
struct Listener {
    int signo = 0;
    /// Deliveries not yet received; added under the registry lock, taken by the owner.
    std::atomic<std::uint64_t> count{0};
    AtomicWaker waker;
    /// The driver of the runtime this listener was polled in (set once).
    std::shared_ptr<Driver> driver;
};

/// Drains the self-pipe for one reactor. Shared by the listeners attached to
/// that reactor; the last one to go deregisters the pipe.
class Driver : public std::enable_shared_from_this<Driver> {
public:
    /// Registers a dup of the pipe's read end with `reactor`.
    static std::shared_ptr<Driver> create(pollen::detail::Reactor* reactor, int pipe_read_fd,
                                          std::error_code& ec);
    Driver() = default;
    Driver(const Driver&) = delete;
    Driver& operator=(const Driver&) = delete;

    /// Drains the pipe until EAGAIN (re-arming the reactor registration with
    /// this driver's waker), then hands pending deliveries to the listeners.
    void drive();
    /// True once the reactor shut down: no delivery will come through it.
    bool is_closed() const { return closed_.load(std::memory_order_acquire); }

private:
    struct Wake;  // the waker the reactor calls: a weak reference to the driver

    pollen::detail::IoSource io_;
    std::mutex mu_;  // one drainer at a time (the reactor thread vs. an attaching poll)
    Waker waker_ = noop_waker();
    std::atomic<bool> closed_{false};
};

/// Adds `l` to the registry (installing the handler for l->signo when needed).
std::error_code register_listener(Listener* l);
/// Removes `l`; no delivery touches it once this returns.
void unregister_listener(Listener* l);
/// Attaches the driver of the current reactor to `l` (throws std::logic_error
/// outside a runtime, std::system_error if the pipe cannot be registered).
void attach_driver(Listener& l);
/// Counts pending deliveries into the listeners and wakes them.
void broadcast();
/// Wakes every listener attached to `d` (its reactor is gone).
void broadcast_closed(const Driver* d);
/// How many listeners of `signo` are registered (tests: cleanup on destruction).
std::size_t listener_count(int signo);

}  // namespace pollen::signal::detail
