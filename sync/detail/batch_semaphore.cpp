// The locked paths of detail::BatchSemaphore; the lock-free ones are inline
// in the header.
#include "batch_semaphore.hpp"

#include "wake_list.hpp"

namespace pollen::detail {

void BatchSemaphore::release_slow(std::size_t n) {
    std::unique_lock lock(mu_);
    add_permits_locked(n, lock);
}

void BatchSemaphore::add_permits_locked(std::size_t rem, std::unique_lock<AdaptiveMutex>& lock) {
    std::exception_ptr thrown;  // from a waker; rethrown once every permit is placed
    while (rem > 0) {
        WakeList wakers;
        while (wakers.can_push()) {
            SemWaiter* w = waiters_.front();
            if (w == nullptr) {
                std::size_t prev = permits_.fetch_add(rem << kShift, std::memory_order_release);
                (void)prev;
                assert((prev >> kShift) + rem <= kMaxPermits && "pollen: too many semaphore permits");
                rem = 0;
                break;
            }
            std::size_t need = w->needed.load(std::memory_order_relaxed);
            if (rem < need) {
                // A partial share: the head keeps it, so nobody behind can pass.
                w->needed.store(need - rem, std::memory_order_relaxed);
                rem = 0;
                break;
            }
            rem -= need;
            waiters_.pop_front();
            note_dequeued();
            if (w->waker) {
                wakers.push(std::move(*w->waker));
                w->waker.reset();
            }
            // The last touch: from here on the owner may finish and free the node.
            w->needed.store(0, std::memory_order_release);
        }
        lock.unlock();
        std::exception_ptr e = wakers.wake_all_caught();
        if (e && !thrown) thrown = std::move(e);
        if (rem > 0) lock.lock();
    }
    if (lock.owns_lock()) lock.unlock();
    if (thrown) std::rethrow_exception(thrown);
}

void BatchSemaphore::close() {
    std::unique_lock lock(mu_);
    permits_.fetch_or(kClosed, std::memory_order_release);
    std::exception_ptr thrown = release_waiters(waiters_, lock, [this](SemWaiter&) { note_dequeued(); });
    // A waker threw: every waiter was still failed and woken; now it may unwind.
    if (thrown) std::rethrow_exception(thrown);
}

BatchSemaphore::Outcome BatchSemaphore::acquire_slow(SemWaiter& node, std::size_t n, const Waker& waker) {
    // Cloning may run foreign code: do it before taking the lock.
    std::optional<Waker> clone(waker);
    std::unique_lock lock(mu_);
    std::size_t curr = permits_.load(std::memory_order_acquire);
    std::size_t took;
    for (;;) {
        if (curr & kClosed) return Outcome::Closed;
        std::size_t avail = curr >> kShift;
        if (avail >= n) {
            if (permits_.compare_exchange_weak(curr, curr - (n << kShift), std::memory_order_acq_rel,
                                               std::memory_order_acquire))
                return Outcome::Acquired;
            continue;
        }
        // Take what is free as a partial share: the count is then 0, so
        // nobody arriving after us can take permits we are waiting for, and
        // QUEUED sends every release through the lock from now on.
        if (permits_.compare_exchange_weak(curr, kQueued, std::memory_order_acq_rel,
                                           std::memory_order_acquire)) {
            took = avail;
            break;
        }
    }
    node.needed.store(n - took, std::memory_order_relaxed);
    node.waker = std::move(clone);
    waiters_.push_back(&node);
    return Outcome::Queued;
}

BatchSemaphore::Outcome BatchSemaphore::poll_queued(SemWaiter& node, std::size_t n, const Waker& waker) {
    std::optional<Waker> old;  // released after the lock
    std::unique_lock lock(mu_);
    std::size_t need = node.needed.load(std::memory_order_relaxed);
    if (need == 0) return Outcome::Acquired;
    if (permits_.load(std::memory_order_relaxed) & kClosed) {
        node.unlink();
        note_dequeued();
        if (n - need > 0) permits_.fetch_add((n - need) << kShift, std::memory_order_release);
        node.needed.store(n, std::memory_order_relaxed);
        return Outcome::Closed;
    }
    old = node.set_waker(waker);
    return Outcome::Queued;
}

void BatchSemaphore::cancel(SemWaiter& node, std::size_t n) {
    std::unique_lock lock(mu_);
    node.unlink();
    note_dequeued();
    std::size_t got = n - node.needed.load(std::memory_order_relaxed);
    // Served fully or partly but never finished: pass the share on.
    if (got > 0) add_permits_locked(got, lock);
}

}  // namespace pollen::detail
