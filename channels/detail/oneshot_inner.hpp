#pragma once
/// detail::OneshotInner<T>: the one allocation a oneshot channel shares
/// between its Sender and Receiver (and a Sender's `closed()` future): an
/// atomic state word, the value slot, and one waker slot per side.
///
/// The state bits decide who may touch what, so there is no lock:
/// - the value slot is written by the sender before it sets VALUE_SENT, and
///   read only by the receiver after it saw VALUE_SENT (or by the sender,
///   taking its value back, when it saw CLOSED instead of setting VALUE_SENT);
/// - `rx_waker_` is written by the receiver only while RX_TASK_SET is clear,
///   and read by the sender only after it set VALUE_SENT while RX_TASK_SET
///   was set; `tx_waker_` likewise with TX_TASK_SET and CLOSED.
/// Wakers are woken from whichever thread completes or closes the channel.
/// The allocation is freed by whoever drops the last reference.

#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <utility>

#include "../../core/context.hpp"
#include "../../core/waker.hpp"

namespace pollen::oneshot::detail {

template <class T>
class OneshotInner {
public:
    static constexpr std::uint32_t kRxTaskSet = 1;
    static constexpr std::uint32_t kValueSent = 2;  ///< sent, or the sender is gone
    static constexpr std::uint32_t kClosed = 4;     ///< the receiver closed or is gone
    static constexpr std::uint32_t kTxTaskSet = 8;

    /// Two references: the Sender's and the Receiver's.
    OneshotInner() = default;
    OneshotInner(const OneshotInner&) = delete;
    OneshotInner& operator=(const OneshotInner&) = delete;

    std::uint32_t load() const { return state_.load(std::memory_order_acquire); }

    /// A reference for a Sender's closed() future. Tokio's borrows the
    /// Sender (one at a time); ours may outlive it, so it counts, and the
    /// 16-bit count refuses the 65,534th at once rather than wrap.
    void add_ref() {
        if (refs_.fetch_add(1, std::memory_order_relaxed) >= kMaxRefs) {
            refs_.fetch_sub(1, std::memory_order_relaxed);
            throw std::length_error("pollen: too many closed() futures alive for one oneshot Sender");
        }
    }
    /// Drops one reference; the last one frees the allocation (and with it an
    /// unreceived value, though the Receiver normally destroys that first).
    void release() {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

    // ------------------------------------------------------------ sender side

    /// Stores the value, to be published by `complete()`.
    template <class U>
    void put(U&& value) { value_.emplace(std::forward<U>(value)); }

    /// Sets VALUE_SENT unless the receiver has closed; wakes a waiting
    /// receiver. False when closed: the value (if any) is still the sender's.
    bool complete() {
        std::uint32_t s = state_.load(std::memory_order_relaxed);
        do {
            if (s & kClosed) return false;
        } while (!state_.compare_exchange_weak(s, s | kValueSent, std::memory_order_acq_rel,
                                               std::memory_order_acquire));
        // RX_TASK_SET with VALUE_SENT now set: the receiver no longer writes its slot.
        if (s & kRxTaskSet) rx_waker_.wake_by_ref();
        return true;
    }

    /// The value back after a failed `complete()`.
    T take_back() {
        T v = std::move(*value_);
        value_.reset();
        return v;
    }

    /// The `closed()` poll: Ready once the receiver is closed or gone.
    bool poll_closed(Context& cx) {
        return poll_side(cx, tx_waker_, kTxTaskSet, kClosed);
    }

    // ---------------------------------------------------------- receiver side

    /// The receive poll. Ready when the value was sent or the sender is gone
    /// (then `take()` tells which), or when the receiver itself closed.
    bool poll_recv(Context& cx) {
        return poll_side(cx, rx_waker_, kRxTaskSet, kValueSent | kClosed);
    }

    /// The value, once VALUE_SENT was seen; empty when the sender was dropped.
    std::optional<T> take() {
        std::optional<T> v = std::move(value_);
        value_.reset();
        return v;
    }

    /// The receiver is going: gives up its waker slot, so a task that dropped
    /// the receiver is not kept alive by a channel it no longer listens to.
    /// If VALUE_SENT came first, the sender owns the slot (it may be waking it
    /// now) and the destructor releases the waker; otherwise, once the bit is
    /// down, the sender never reads the slot.
    void release_rx_waker() {
        std::uint32_t prev = state_.fetch_and(~kRxTaskSet, std::memory_order_acq_rel);
        if ((prev & kRxTaskSet) && !(prev & kValueSent)) rx_waker_ = noop_waker();
    }

    /// Sets CLOSED and wakes a sender waiting in `closed()`. Returns the
    /// previous state (VALUE_SENT in it: a value may still be taken).
    std::uint32_t close() {
        std::uint32_t prev = state_.fetch_or(kClosed, std::memory_order_acq_rel);
        // TX_TASK_SET seen by the one who set CLOSED: the sender no longer
        // writes its slot. After VALUE_SENT nobody waits in closed() that matters.
        if ((prev & kTxTaskSet) && !(prev & kClosed) && !(prev & kValueSent))
            tx_waker_.wake_by_ref();
        return prev;
    }

private:
    /// Tokio's check / register / check-again, shared by both sides: the
    /// waker slot is owned by this side while its TASK_SET bit is clear.
    bool poll_side(Context& cx, Waker& slot, std::uint32_t task_set, std::uint32_t done) {
        std::uint32_t s = load();
        if (s & done) return true;
        if (s & task_set) {
            if (slot.will_wake(cx.waker())) return false;
            // A different task polls now: take the slot back before replacing it.
            s = state_.fetch_and(~task_set, std::memory_order_acq_rel) & ~task_set;
            if (s & done) {
                // The other side may be waking the old waker right now; put the
                // bit back so the waker is released by the destructor, not here.
                state_.fetch_or(task_set, std::memory_order_acq_rel);
                return true;
            }
        }
        slot = cx.waker();
        s = state_.fetch_or(task_set, std::memory_order_acq_rel);
        return (s & done) != 0;
    }

    ~OneshotInner() = default;

    // The sender, the receiver and the sender's live closed() futures. 16
    // bits, so that with the state word and a small value (a Unit's
    // optional is 2 bytes) the header fits in 8: a oneshot of Unit is 40
    // bytes, one malloc chunk of 48 (an idle task waiting on one pays it).
    static constexpr std::uint16_t kMaxRefs = 0xFFFF - 2;
    std::atomic<std::uint32_t> state_{0};
    std::atomic<std::uint16_t> refs_{2};
    std::optional<T> value_;
    Waker rx_waker_ = noop_waker();
    Waker tx_waker_ = noop_waker();
};

}  // namespace pollen::oneshot::detail
