#pragma once
/// AtomicWaker: one waker slot shared by a future (which registers) and any
/// number of threads (which wake), futures-rs's `AtomicWaker`.
///
/// The pattern it supports: the future checks its condition, registers its
/// waker, checks again; the other side makes the condition true, then calls
/// `wake()`. A wake that races with a registration is never lost: either the
/// waker sees the stored waker, or the registering side wakes itself.
/// Only one thread may call `register_waker` at a time (the future's owner).

#include <atomic>
#include <optional>

#include "waker.hpp"

namespace pollen {

class AtomicWaker {
public:
    AtomicWaker() {}
    ~AtomicWaker() { (void)take_slot(); }
    AtomicWaker(const AtomicWaker&) = delete;
    AtomicWaker& operator=(const AtomicWaker&) = delete;

    /// Stores a clone of `waker` (skipped when the stored one already wakes the same task).
    void register_waker(const Waker& waker) {
        unsigned expected = kWaiting;
        if (state_.compare_exchange_strong(expected, kRegistering, std::memory_order_acquire,
                                           std::memory_order_acquire)) {
            // We hold the slot. Replace the waker, dropping the old one only
            // after the slot is released (a drop may run arbitrary code).
            std::optional<Waker> old;
            if (!has_waker_ || !waker_.will_wake(waker)) {
                old = take_slot();
                ::new (static_cast<void*>(&waker_)) Waker(waker);
                has_waker_ = true;
            }
            expected = kRegistering;
            if (!state_.compare_exchange_strong(expected, kWaiting, std::memory_order_acq_rel,
                                                std::memory_order_acquire)) {
                // A wake arrived while we registered: it could not take the
                // waker, so we wake on its behalf.
                std::optional<Waker> to_wake = take_slot();
                state_.exchange(kWaiting, std::memory_order_acq_rel);
                if (to_wake) std::move(*to_wake).wake();
            }
            return;
        }
        if (expected == kWaking) {
            // A wake is in progress right now: make sure this poll is repeated.
            waker.wake_by_ref();
        }
        // Otherwise a concurrent register_waker: a caller bug we tolerate silently.
    }

    /// Wakes the registered waker, if any, and clears the slot.
    void wake() {
        if (std::optional<Waker> w = take()) std::move(*w).wake();
    }

    /// Takes the registered waker out, if any.
    std::optional<Waker> take() {
        if (state_.fetch_or(kWaking, std::memory_order_acq_rel) == kWaiting) {
            std::optional<Waker> w = take_slot();
            state_.fetch_and(~kWaking, std::memory_order_release);
            return w;
        }
        return std::nullopt;
    }

private:
    static constexpr unsigned kWaiting = 0;
    static constexpr unsigned kRegistering = 1;
    static constexpr unsigned kWaking = 2;

    /// Moves the stored waker out (only by whoever holds the slot).
    std::optional<Waker> take_slot() {
        if (!has_waker_) return std::nullopt;
        std::optional<Waker> w(std::move(waker_));
        waker_.~Waker();
        has_waker_ = false;
        return w;
    }

    // A raw slot and a flag rather than std::optional<Waker>, so that the
    // flag and the state share one word: 24 bytes, not 32 (one lives in
    // every task and in most channels).
    union {
        Waker waker_;  // alive iff has_waker_
    };
    bool has_waker_ = false;
    std::atomic<unsigned> state_{kWaiting};
};

}  // namespace pollen
