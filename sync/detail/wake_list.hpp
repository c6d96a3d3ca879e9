#pragma once
/// detail::WakeList: up to 32 wakers collected under a primitive's lock and
/// woken after it is released (Tokio's `WakeList`). Waking runs foreign code
/// (a scheduler, a test's waker), which must never run under our mutex; the
/// fixed capacity keeps the release paths allocation-free, and a caller with
/// more waiters drains them in batches, re-locking in between
/// (`release_waiters` below is that loop).
///
/// A waker's `wake` may throw (Rust: a waker that panics). That stops
/// nothing: every waker of the list is still woken and released, and the
/// first exception is handed back (`wake_all_caught`) for the caller to
/// rethrow once its own state is consistent; later ones are dropped, as only
/// one can propagate. Tokio restores its lists and lets the panic unwind but
/// leaves the rest of the batch unwoken; pollen wakes them too, so no task is
/// stranded.

#include <cstddef>
#include <exception>
#include <new>
#include <utility>

#include "../../core/waker.hpp"
#include "wait_list.hpp"

namespace pollen::detail {

class WakeList {
public:
    static constexpr std::size_t kCapacity = 32;

    WakeList() = default;
    WakeList(const WakeList&) = delete;
    WakeList& operator=(const WakeList&) = delete;
    ~WakeList() { clear(); }

    bool can_push() const { return len_ < kCapacity; }
    bool empty() const { return len_ == 0; }

    void push(Waker&& w) { new (slot(len_++)) Waker(std::move(w)); }

    /// Wakes (and releases) every waker, even past one that throws; the list
    /// is empty afterwards. Returns the first exception thrown, or null.
    std::exception_ptr wake_all_caught() noexcept {
        std::exception_ptr first;
        std::size_t n = std::exchange(len_, 0);
        for (std::size_t i = 0; i < n; ++i) {
            Waker* w = slot(i);
            try {
                std::move(*w).wake();
            } catch (...) {
                if (!first) first = std::current_exception();
            }
            w->~Waker();
        }
        return first;
    }

private:
    void clear() {
        std::size_t n = std::exchange(len_, 0);
        for (std::size_t i = 0; i < n; ++i) slot(i)->~Waker();
    }
    Waker* slot(std::size_t i) { return std::launder(reinterpret_cast<Waker*>(buf_ + i * sizeof(Waker))); }

    alignas(Waker) unsigned char buf_[kCapacity * sizeof(Waker)];
    std::size_t len_ = 0;
};

/// Releases every waiter of `list`: under `lock` (held on entry, released
/// on return), pops each node, takes its `waker` (a std::optional<Waker>)
/// and calls `mark(node)`, which must be its last touch of the node (the
/// flag that lets the owner finish and free it); wakes each batch with the
/// lock released, re-locking only when more waiters are left (so the usual
/// single batch costs no second lock). `list` is usually one moved aside
/// onto the caller's stack, so nodes queued meanwhile are left for later and
/// a node destroyed meanwhile unlinks itself from it. Every node is released
/// and woken even if wakers throw; the first exception is returned (null if
/// none) for the caller to rethrow once its own state is consistent.
template <class Node, class Lock, class Mark>
std::exception_ptr release_waiters(WaitList<Node>& list, Lock& lock, Mark mark) {
    std::exception_ptr first;
    for (;;) {
        WakeList wakers;
        while (wakers.can_push()) {
            Node* w = list.pop_front();
            if (w == nullptr) break;
            if (w->waker) {
                wakers.push(std::move(*w->waker));
                w->waker.reset();
            }
            mark(*w);
        }
        bool more = !list.empty();
        lock.unlock();
        std::exception_ptr e = wakers.wake_all_caught();
        if (e && !first) first = std::move(e);
        if (!more) return first;
        lock.lock();
    }
}

/// release_waiters for waiters that need no flag: they find out by
/// re-checking the primitive's state when polled.
template <class Node, class Lock>
std::exception_ptr release_waiters(WaitList<Node>& list, Lock& lock) {
    return release_waiters(list, lock, [](Node&) {});
}

}  // namespace pollen::detail
