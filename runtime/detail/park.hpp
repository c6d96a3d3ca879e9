#pragma once
/// Parker: lets one thread sleep until another unparks it, without lost
/// wake-ups (an unpark before the park makes the park return at once), as
/// Rust's `thread::park`. BlockOnSignal is the Waker target of `block_on`:
/// waking it records "poll the block_on future again" and unparks the thread
/// driving it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "../../core/waker.hpp"
#include "../../reactor/reactor.hpp"

namespace pollen::detail {

/// The runtime/reactor seam: a runtime's parkers share one Driver, and the
/// idle thread that takes its lock waits in the reactor (epoll_wait with the
/// next timer as timeout) instead of on a condition variable. The others
/// sleep on their condition variables; an unpark reaches either kind.
struct Driver {
    explicit Driver(std::shared_ptr<Reactor> r) : reactor(std::move(r)) {}
    std::shared_ptr<Reactor> reactor;
    std::mutex mu;  // held by the thread waiting in the reactor

    /// A non-blocking turn (I/O and timers), if no other thread is driving:
    /// busy workers call it now and then so events are not left waiting.
    void try_turn_nonblocking() {
        std::unique_lock lock(mu, std::try_to_lock);
        if (lock.owns_lock()) reactor->turn(std::chrono::nanoseconds(0));
    }
};

class Parker {
public:
    Parker() = default;
    explicit Parker(std::shared_ptr<Driver> driver) : driver_(std::move(driver)) {}

    /// Sleeps until unpark() (returns at once if an unpark is pending). With a
    /// driver, may instead wait in the reactor, then return after one turn.
    void park();
    /// As park, but gives up after `timeout` (condition variable only).
    void park_timeout(std::chrono::nanoseconds timeout);
    /// Wakes the parked thread, or makes its next park return at once.
    void unpark();

private:
    enum : int { kEmpty, kParkedCondvar, kParkedDriver, kNotified };
    std::shared_ptr<Driver> driver_;
    std::atomic<int> state_{kEmpty};
    std::mutex mu_;
    std::condition_variable cv_;
};

/// Refcounted through its Wakers and the block_on that made it.
class BlockOnSignal {
public:
    static BlockOnSignal* create(std::shared_ptr<Parker> parker);
    void ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
    void unref();

    /// A Waker that sets the signal (one more reference).
    Waker waker();
    /// True once after each wake (and at the start).
    bool take_woken() { return woken_.exchange(false, std::memory_order_acquire); }
    bool is_woken() const { return woken_.load(std::memory_order_acquire); }
    void wake() {
        // Already woken and not yet seen: whoever set the flag is unparking
        // (or has) the thread, so a burst of wakes costs one unpark.
        if (woken_.exchange(true, std::memory_order_acq_rel)) return;
        parker_->unpark();
    }
    Parker& parker() { return *parker_; }

private:
    explicit BlockOnSignal(std::shared_ptr<Parker> p) : parker_(std::move(p)) {}
    std::atomic<std::size_t> refs_{1};
    std::atomic<bool> woken_{true};
    std::shared_ptr<Parker> parker_;
};

/// Owns one reference to a BlockOnSignal.
class BlockOnSignalRef {
public:
    explicit BlockOnSignalRef(std::shared_ptr<Parker> p) : s_(BlockOnSignal::create(std::move(p))) {}
    ~BlockOnSignalRef() { s_->unref(); }
    BlockOnSignalRef(const BlockOnSignalRef&) = delete;
    BlockOnSignalRef& operator=(const BlockOnSignalRef&) = delete;
    BlockOnSignal* operator->() const { return s_; }
    BlockOnSignal& operator*() const { return *s_; }

private:
    BlockOnSignal* s_;
};

}  // namespace pollen::detail
