#pragma once
/// detail::WaitList: an intrusive FIFO of waiting futures, for the channels
/// whose waiters queue under a mutex (blocked mpsc senders, `closed()`
/// futures, broadcast receivers, watch receivers).
///
/// A WaitNode lives inside the waiting future, which is pinned once polled,
/// so the list never allocates. Every operation runs under the mutex of the
/// owning channel; the node's waker is written and taken only under it too.
/// A future that is destroyed while linked unlinks itself (under the mutex).

#include <cassert>
#include <optional>

#include "../../core/waker.hpp"

namespace pollen::channels::detail {

struct WaitNode {
    WaitNode() = default;
    // A node may be moved only while unlinked (a future before its first poll).
    WaitNode(const WaitNode&) : WaitNode() {}
    WaitNode& operator=(const WaitNode&) = delete;

    WaitNode* prev = nullptr;
    WaitNode* next = nullptr;
    bool linked = false;
    std::optional<Waker> waker;

    /// Stores `w` unless the stored waker already wakes the same task; the
    /// replaced waker is handed back so it is dropped outside the lock.
    std::optional<Waker> set_waker(const Waker& w) {
        if (waker && waker->will_wake(w)) return std::nullopt;
        std::optional<Waker> old = std::move(waker);
        waker.emplace(w);
        return old;
    }
};

class WaitList {
public:
    bool empty() const { return head_ == nullptr; }
    WaitNode* front() const { return head_; }

    void push_back(WaitNode* n) {
        assert(!n->linked);
        n->prev = tail_;
        n->next = nullptr;
        if (tail_) tail_->next = n;
        else head_ = n;
        tail_ = n;
        n->linked = true;
    }

    void remove(WaitNode* n) {
        assert(n->linked);
        if (n->prev) n->prev->next = n->next;
        else head_ = n->next;
        if (n->next) n->next->prev = n->prev;
        else tail_ = n->prev;
        n->prev = n->next = nullptr;
        n->linked = false;
    }

    WaitNode* pop_front() {
        WaitNode* n = head_;
        if (n) remove(n);
        return n;
    }

private:
    WaitNode* head_ = nullptr;
    WaitNode* tail_ = nullptr;
};

}  // namespace pollen::channels::detail
