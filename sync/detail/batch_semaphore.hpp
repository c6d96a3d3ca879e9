#pragma once
/// detail::BatchSemaphore: Tokio's batch semaphore, the engine under
/// Semaphore, Mutex, RwLock, OnceCell and the bounded mpsc channel (one
/// permit per free slot: channels/detail/mpsc_semaphore.hpp). A count of
/// permits in one atomic word (with a CLOSED bit), and a FIFO WaitList of
/// waiters, each asking for some number of permits at once.
///
/// Fairness comes from one invariant: free permits sit in the atomic word
/// only while nobody waits. A QUEUED bit in the word mirrors "the queue is
/// not empty" (set in the same CAS that queues the first waiter, cleared
/// under the lock when the queue empties), so a release with nobody waiting
/// is one CAS, without the mutex. Released permits are handed straight to the
/// waiter at the head of the queue, even partially (a head that needs 5 and
/// gets 3 keeps them and now needs 2), so a later small request never slips
/// past a big one; `try_acquire` and the lock-free fast path can only succeed
/// when the queue is empty.
///
/// detail::Acquire is the future that waits: its node lives inside it. Its
/// poll takes permits lock-free when it can, else queues the node under the
/// mutex; a queued waiter learns it was served by reading `needed == 0`, which
/// the releaser stores last, after unlinking the node and taking its waker,
/// so the future may then finish and die without the lock. Destroying a
/// queued Acquire unlinks it and passes every permit it had been handed
/// (partly or fully) on to the next waiters. Wakes come from whichever thread
/// releases or closes.

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "../../core/context.hpp"
#include "../../core/coop.hpp"
#include "../../core/detail/adaptive_mutex.hpp"
#include "../../core/future.hpp"
#include "../../core/poll.hpp"
#include "../../core/result.hpp"
#include "../../core/trace.hpp"
#include "../../core/waker.hpp"
#include "../acquire_error.hpp"
#include "wait_list.hpp"

namespace pollen::detail {

struct SemWaiter : Waiter {
    /// Permits still missing; 0 once served (stored last by the releaser).
    std::atomic<std::size_t> needed{0};
};

class BatchSemaphore {
public:
    static constexpr std::size_t kMaxPermits = SIZE_MAX >> 3;

    enum class Outcome { Acquired, NoPermits, Closed, Queued };

    explicit BatchSemaphore(std::size_t permits) : permits_(permits << kShift) {
        assert(permits <= kMaxPermits);
    }
    BatchSemaphore(const BatchSemaphore&) = delete;
    BatchSemaphore& operator=(const BatchSemaphore&) = delete;

    std::size_t available_permits() const { return permits_.load(std::memory_order_acquire) >> kShift; }
    bool is_closed() const { return permits_.load(std::memory_order_acquire) & kClosed; }

    /// Lock-free: Acquired, NoPermits or Closed.
    Outcome try_acquire(std::size_t n) {
        std::size_t curr = permits_.load(std::memory_order_acquire);
        for (;;) {
            if (curr & kClosed) return Outcome::Closed;
            if ((curr >> kShift) < n) return Outcome::NoPermits;
            if (permits_.compare_exchange_weak(curr, curr - (n << kShift), std::memory_order_acq_rel,
                                               std::memory_order_acquire))
                return Outcome::Acquired;
        }
    }

    /// Returns permits: to the waiters first, in order, then to the count.
    void release(std::size_t n) {
        std::size_t curr = permits_.load(std::memory_order_relaxed);
        while (!(curr & kQueued)) {
            if (permits_.compare_exchange_weak(curr, curr + (n << kShift), std::memory_order_acq_rel,
                                               std::memory_order_relaxed))
                return;
        }
        release_slow(n);
    }
    /// Takes up to `n` free permits out of the count; returns how many.
    /// Lock-free: free permits exist only while nobody waits, and the flags
    /// are kept as they are.
    std::size_t forget_permits(std::size_t n) {
        std::size_t curr = permits_.load(std::memory_order_acquire);
        for (;;) {
            std::size_t avail = curr >> kShift;
            std::size_t take = avail < n ? avail : n;
            if (take == 0) return 0;
            if (permits_.compare_exchange_weak(curr, curr - (take << kShift), std::memory_order_acq_rel,
                                               std::memory_order_acquire))
                return take;
        }
    }
    /// Fails every waiter and every later acquire; permits held stay valid.
    void close();

    // ------------------------------------------------- for detail::Acquire
    /// Under the lock: takes what is free; Acquired, Closed, or Queued with
    /// the node linked (holding a partial share, `waker` stored).
    Outcome acquire_slow(SemWaiter& node, std::size_t n, const Waker& waker);
    /// A queued node polled again: Acquired, Closed (node unlinked, its
    /// partial share given back) or Queued (waker refreshed).
    Outcome poll_queued(SemWaiter& node, std::size_t n, const Waker& waker);
    /// A queued node given up: unlinks it and passes its share on.
    void cancel(SemWaiter& node, std::size_t n);

private:
    static constexpr std::size_t kClosed = 1;
    static constexpr std::size_t kQueued = 2;
    static constexpr int kShift = 2;

    void release_slow(std::size_t n);
    /// Under the lock, after a waiter left the queue: clears QUEUED if it is empty.
    void note_dequeued() {
        if (waiters_.empty()) permits_.fetch_and(~kQueued, std::memory_order_release);
    }

    /// Hands `rem` permits to the queue head-first, the rest to the count;
    /// wakes the served waiters in batches with the lock released.
    void add_permits_locked(std::size_t rem, std::unique_lock<AdaptiveMutex>& lock);

    std::atomic<std::size_t> permits_;
    AdaptiveMutex mu_;  ///< spins, then sleeps (parking_lot's policy, as Tokio's)
    WaitList<SemWaiter> waiters_;
};

/// The future of `n` permits from a BatchSemaphore: Ok once they are all
/// this future's (the caller then owns them), Err once the semaphore closed.
/// Draws on the cooperative budget. Movable only before its first poll.
class Acquire {
public:
    using Output = Result<void, AcquireError>;

    Acquire(BatchSemaphore& sem, std::size_t n) : sem_(&sem), n_(n) {}
    Acquire(Acquire&& other) noexcept : sem_(other.sem_), n_(other.n_), pin_(std::move(other.pin_)) {
        assert(!other.queued_ && "pollen: a waiting acquire was moved");
    }
    Acquire& operator=(Acquire&&) = delete;
    ~Acquire() {
        if (queued_) sem_->cancel(node_, n_);
    }

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        if (!coop::poll_proceed(cx)) return pending;
        BatchSemaphore::Outcome o;
        if (!queued_) {
            o = sem_->try_acquire(n_);
            if (o == BatchSemaphore::Outcome::NoPermits) o = sem_->acquire_slow(node_, n_, cx.waker());
        } else if (node_.needed.load(std::memory_order_acquire) == 0) {
            o = BatchSemaphore::Outcome::Acquired;
        } else {
            o = sem_->poll_queued(node_, n_, cx.waker());
        }
        switch (o) {
            case BatchSemaphore::Outcome::Acquired:
                queued_ = false;
                return Ready<Output>{Ok()};
            case BatchSemaphore::Outcome::Closed:
                queued_ = false;
                return Ready<Output>{Err(AcquireError{})};
            default:
                queued_ = true;
                coop::refund();
                return pending;
        }
    }

    BatchSemaphore& semaphore() const { return *sem_; }
    /// True while its node is (or may be) in the semaphore's queue.
    bool is_queued() const { return queued_; }

    /// For task dumps (core/trace.hpp): "<what> <object's address> (queued,
    /// 1 of 2 permits missing, 0 available)". Reads only atomics and what the
    /// owner writes.
    void describe_as(TraceVisitor& v, const std::string& what, const void* object) const {
        std::string s = what + " " + trace::address(object) + " (";
        if (sem_->is_closed()) s += "closed, ";
        if (queued_)
            s += "queued, " + std::to_string(node_.needed.load(std::memory_order_acquire)) + " of " +
                 std::to_string(n_) + " permits missing, ";
        s += std::to_string(sem_->available_permits()) + " available)";
        v.waits_on(std::move(s));
    }

private:
    BatchSemaphore* sem_;
    std::size_t n_;
    bool queued_ = false;  ///< the node may be linked or hold a share
    SemWaiter node_;
    [[no_unique_address]] PinCheck pin_;
};

}  // namespace pollen::detail
