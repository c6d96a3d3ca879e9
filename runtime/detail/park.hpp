#pragma once
/// Parker: lets a runtime thread sleep until another unparks it, without lost
/// wake-ups (an unpark before the park makes the park return at once), as
/// Rust's `thread::park`, either in the reactor (Tokio's multi_thread
/// park.rs: the idle thread that gets the lock of the runtime's Driver,
/// driver.hpp, waits in epoll_wait) or on the core ThreadParker
/// (core/detail/parker.hpp), which does the sleeping for every other case;
/// an unpark reaches either kind. BlockOnSignal is the Waker target of
/// `block_on`: waking it records "poll the block_on future again" and
/// unparks the thread driving it.
///
/// Threads: one thread parks a given Parker at a time; any thread unparks.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

#include "../../core/detail/parker.hpp"
#include "../../core/waker.hpp"
#include "driver.hpp"

namespace pollen::detail {

class Parker {
public:
    Parker() = default;
    explicit Parker(std::shared_ptr<Driver> driver) : driver_(std::move(driver)) {}
    /// The parker of a thread in block_on with no driver to wait in: it
    /// spins briefly before it sleeps (ThreadParker::SpinFirst).
    static std::shared_ptr<Parker> for_block_on() {
        auto p = std::make_shared<Parker>();
        p->spin_first_ = ThreadParker::SpinFirst::yes;
        return p;
    }

    /// Sleeps until unpark() (returns at once if an unpark is pending). With a
    /// driver, may instead wait in the reactor, then return after one turn.
    void park();
    /// Wakes the parked thread, or makes its next park return at once.
    void unpark();

private:
    // Where a park sleeps, so that unpark knows whom to wake.
    enum : int { kEmpty, kParkedThread, kParkedDriver, kNotified };
    std::shared_ptr<Driver> driver_;
    std::atomic<int> state_{kEmpty};
    ThreadParker thread_;
    ThreadParker::SpinFirst spin_first_ = ThreadParker::SpinFirst::no;
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
