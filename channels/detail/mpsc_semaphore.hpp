#pragma once
/// detail::BoundedSemaphore / UnboundedSemaphore: the capacity accounting of
/// the mpsc channels (Tokio's `chan::Semaphore` impls: the batch semaphore
/// for bounded channels, a message counter for unbounded ones).
///
/// BoundedSemaphore keeps `permits << 2 | WAITERS | CLOSED` in one atomic.
/// Taking and returning a permit is one CAS while nobody waits; blocked
/// senders queue FIFO in a WaitList under a mutex, and while any is queued
/// the count stays 0 and a returned permit goes straight to the first of
/// them, so a newcomer never overtakes a waiter. WAITERS is set and cleared
/// only under the mutex, set only while the count is 0, and means "the queue
/// is not empty": the receiver's fast path never takes the lock.
///
/// A waiter handed a permit (ASSIGNED) owns it: if its future is destroyed
/// before using it, `cancel` gives it back. CLOSED (the receiver closed or is
/// gone) fails every waiter and every later acquire; permits still come back,
/// so `is_idle` tells when no sender holds one any more.
/// Wakers are woken from whichever thread returns a permit or closes.

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "../../core/detail/adaptive_mutex.hpp"
#include "../../core/waker.hpp"
#include "wait_list.hpp"

namespace pollen::mpsc::detail {

enum class Acquired : std::uint8_t { Ok, NoPermits, Closed, Pending };

/// A blocked sender's place in the queue, embedded in its (pinned) future.
struct SemWaiter : channels::detail::WaitNode {
    static constexpr std::uint8_t kIdle = 0;      ///< not queued, holds nothing
    static constexpr std::uint8_t kQueued = 1;
    static constexpr std::uint8_t kAssigned = 2;  ///< dequeued with a permit
    static constexpr std::uint8_t kClosed = 3;    ///< dequeued by close
    std::atomic<std::uint8_t> state{kIdle};

    SemWaiter() = default;
    SemWaiter(const SemWaiter& other) : WaitNode(other) {
        assert(other.state.load(std::memory_order_relaxed) == kIdle);
    }
};

class BoundedSemaphore {
public:
    static constexpr std::size_t kClosed = 1;
    static constexpr std::size_t kWaiters = 2;
    static constexpr std::size_t kShift = 2;
    static constexpr std::size_t kOne = std::size_t{1} << kShift;
    static constexpr std::size_t kMaxPermits = SIZE_MAX >> (kShift + 1);

    explicit BoundedSemaphore(std::size_t bound) : bound_(bound), state_(bound << kShift) {}

    std::size_t bound() const { return bound_; }
    std::size_t available() const { return state_.load(std::memory_order_acquire) >> kShift; }
    bool is_closed() const { return state_.load(std::memory_order_acquire) & kClosed; }
    /// Every permit is back: no value buffered, no sender holding a slot.
    bool is_idle() const { return available() == bound_; }

    /// One permit now, or why not. Never queues.
    Acquired try_acquire() {
        std::size_t s = state_.load(std::memory_order_relaxed);
        for (;;) {
            if (s & kClosed) return Acquired::Closed;
            if (s < kOne) return Acquired::NoPermits;
            if (state_.compare_exchange_weak(s, s - kOne, std::memory_order_acquire,
                                             std::memory_order_relaxed))
                return Acquired::Ok;
        }
    }

    /// The acquire poll: Ok (the caller owns a permit), Closed, or Pending
    /// with `w` queued and `waker` stored.
    Acquired poll_acquire(SemWaiter& w, const Waker& waker) {
        std::uint8_t st = w.state.load(std::memory_order_acquire);
        if (st == SemWaiter::kIdle) {
            Acquired r = try_acquire();
            if (r != Acquired::NoPermits) return r;
            return enqueue(w, waker);
        }
        if (st == SemWaiter::kQueued) {
            std::optional<Waker> old;
            {
                std::lock_guard lock(mu_);
                st = w.state.load(std::memory_order_acquire);
                if (st == SemWaiter::kQueued) {
                    old = w.set_waker(waker);
                    return Acquired::Pending;
                }
            }
        }
        if (st == SemWaiter::kAssigned) {
            w.state.store(SemWaiter::kIdle, std::memory_order_relaxed);
            return Acquired::Ok;
        }
        return Acquired::Closed;
    }

    /// For a waiter's future destroyed mid-way: leaves the queue, or gives
    /// back the permit it was handed and never used. True when a permit was
    /// given back (the caller may need to tell an idle-waiting receiver).
    bool cancel(SemWaiter& w) {
        std::uint8_t st = w.state.load(std::memory_order_acquire);
        if (st == SemWaiter::kQueued) {
            std::optional<Waker> drop_outside;
            std::lock_guard lock(mu_);
            st = w.state.load(std::memory_order_acquire);
            if (st == SemWaiter::kQueued) {
                queue_.remove(&w);
                if (queue_.empty()) state_.fetch_and(~kWaiters, std::memory_order_relaxed);
                drop_outside = std::move(w.waker);
                w.waker.reset();
                w.state.store(SemWaiter::kIdle, std::memory_order_relaxed);
                return false;
            }
        }
        if (st == SemWaiter::kAssigned) {
            w.state.store(SemWaiter::kIdle, std::memory_order_relaxed);
            release();
            return true;
        }
        return false;
    }

    /// Returns one permit: to the first queued sender if any, else to the count.
    void release() {
        std::size_t s = state_.load(std::memory_order_relaxed);
        for (;;) {
            if (s & kWaiters) return release_to_waiter();
            if (state_.compare_exchange_weak(s, s + kOne, std::memory_order_release,
                                             std::memory_order_relaxed))
                return;
        }
    }

    /// Fails every queued sender and every later acquire.
    void close() {
        std::vector<Waker> to_wake;
        {
            std::lock_guard lock(mu_);
            state_.fetch_or(kClosed, std::memory_order_release);
            while (channels::detail::WaitNode* n = queue_.pop_front()) {
                auto* w = static_cast<SemWaiter*>(n);
                if (w->waker) to_wake.push_back(std::move(*w->waker));
                w->waker.reset();
                w->state.store(SemWaiter::kClosed, std::memory_order_release);
            }
            state_.fetch_and(~kWaiters, std::memory_order_relaxed);
        }
        for (Waker& wk : to_wake) std::move(wk).wake();
    }

private:
    Acquired enqueue(SemWaiter& w, const Waker& waker) {
        std::lock_guard lock(mu_);
        std::size_t s = state_.load(std::memory_order_relaxed);
        for (;;) {
            if (s & kClosed) return Acquired::Closed;
            // A permit came back between the fast path and the lock.
            std::size_t next = s >= kOne ? s - kOne : s | kWaiters;
            if (state_.compare_exchange_weak(s, next, std::memory_order_acquire,
                                             std::memory_order_relaxed)) {
                if (s >= kOne) return Acquired::Ok;
                break;
            }
        }
        w.waker.emplace(waker);
        w.state.store(SemWaiter::kQueued, std::memory_order_relaxed);
        queue_.push_back(&w);
        return Acquired::Pending;
    }

    void release_to_waiter() {
        std::optional<Waker> to_wake;
        {
            std::lock_guard lock(mu_);
            if (channels::detail::WaitNode* n = queue_.pop_front()) {
                auto* w = static_cast<SemWaiter*>(n);
                to_wake = std::move(w->waker);
                w->waker.reset();
                if (queue_.empty()) state_.fetch_and(~kWaiters, std::memory_order_relaxed);
                // Last touch of the node: once ASSIGNED is seen, its future may go.
                w->state.store(SemWaiter::kAssigned, std::memory_order_release);
            } else {
                // The waiters left in the meantime: the permit goes to the count.
                std::size_t s = state_.load(std::memory_order_relaxed);
                while (!state_.compare_exchange_weak(s, (s & ~kWaiters) + kOne,
                                                     std::memory_order_release,
                                                     std::memory_order_relaxed)) {
                }
            }
        }
        if (to_wake) std::move(*to_wake).wake();
    }

    const std::size_t bound_;
    std::atomic<std::size_t> state_;
    pollen::detail::AdaptiveMutex mu_;
    channels::detail::WaitList queue_;
};

/// The unbounded channel's "semaphore": counts buffered messages, so the
/// receiver can tell when a closed channel is drained (`messages << 1 | CLOSED`).
class UnboundedSemaphore {
public:
    bool try_add_message() {
        std::size_t s = state_.load(std::memory_order_relaxed);
        for (;;) {
            if (s & 1) return false;
            if (state_.compare_exchange_weak(s, s + 2, std::memory_order_acquire,
                                             std::memory_order_relaxed))
                return true;
        }
    }
    void release() { state_.fetch_sub(2, std::memory_order_release); }
    void close() { state_.fetch_or(1, std::memory_order_release); }
    bool is_closed() const { return state_.load(std::memory_order_acquire) & 1; }
    bool is_idle() const { return (state_.load(std::memory_order_acquire) >> 1) == 0; }

private:
    std::atomic<std::size_t> state_{0};
};

}  // namespace pollen::mpsc::detail
