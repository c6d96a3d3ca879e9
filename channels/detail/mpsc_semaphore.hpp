#pragma once
// Layering: channels -> sync (the batch semaphore under bounded channels).
/// detail::BoundedSemaphore / UnboundedSemaphore: the capacity accounting of
/// the mpsc channels, what `Chan<T, Sem>` asks of `Sem` (Tokio's
/// `chan::Semaphore` impls): `release` a slot when a value is received,
/// `close`, `is_closed`, and `is_idle` (no value buffered, no slot held by a
/// sender: a closed channel is then drained).
///
/// BoundedSemaphore is Tokio's `bounded::Semaphore`: sync's BatchSemaphore
/// holding one permit per free slot, and the bound. Senders take permits
/// through `detail::Acquire` on `inner()` (FIFO, lock-free while nobody
/// waits, permits handed straight to the oldest waiter); this adapter adds
/// nothing to it but the bound. UnboundedSemaphore is Tokio's `AtomicUsize`:
/// a count of buffered messages and a CLOSED bit, no waiting at all.
/// Both: any thread; the Chan owns one.

#include <atomic>
#include <cstddef>

#include "../../sync/detail/batch_semaphore.hpp"

namespace pollen::mpsc::detail {

class BoundedSemaphore {
public:
    static constexpr std::size_t kMaxPermits = pollen::detail::BatchSemaphore::kMaxPermits;

    explicit BoundedSemaphore(std::size_t bound) : sem_(bound), bound_(bound) {}

    pollen::detail::BatchSemaphore& inner() { return sem_; }
    std::size_t bound() const { return bound_; }
    std::size_t available() const { return sem_.available_permits(); }
    bool is_closed() const { return sem_.is_closed(); }
    /// Every permit is back: no value buffered, no sender holding a slot.
    bool is_idle() const { return available() == bound_; }

    /// A received value frees its slot (or the slot of an unused Permit).
    void release(std::size_t n = 1) { sem_.release(n); }
    /// Fails every waiting sender and every later acquire.
    void close() { sem_.close(); }

private:
    pollen::detail::BatchSemaphore sem_;
    const std::size_t bound_;
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
