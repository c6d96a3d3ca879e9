#pragma once
/// detail::WaitList: the intrusive FIFO of waiting futures that every sync
/// primitive and every channel is built on (Tokio's `LinkedList` of
/// waiters). A waiter is a node embedded in the waiting future itself, so
/// waiting allocates nothing; the list, and each node's links and waker, are
/// only touched under the owning primitive's mutex.
///
/// The list is circular around a sentinel, so a node can unlink itself
/// without knowing which list holds it: `notify_waiters`, a channel's send
/// or a cancellation may move every node into a list on its own stack and
/// wake them in batches with the lock released (`release_waiters` in
/// wake_list.hpp), while a future destroyed or polled in between still
/// unlinks cleanly. A node is linked iff `next != nullptr`.
///
/// Nodes are neither copyable nor movable (a linked one is pointed at): a
/// future that may be moved before its first poll builds a fresh node in its
/// move constructor. One list, or a node, is used by one thread at a time,
/// under the owner's lock; distinct lists: safe.

#include <cassert>
#include <optional>
#include <utility>

#include "../../core/waker.hpp"

namespace pollen::detail {

struct WaitLink {
    WaitLink* prev = nullptr;
    WaitLink* next = nullptr;

    WaitLink() = default;
    WaitLink(const WaitLink&) = delete;
    WaitLink& operator=(const WaitLink&) = delete;

    bool is_linked() const { return next != nullptr; }

    /// Removes this node from whichever list holds it (no-op when unlinked).
    void unlink() {
        if (next == nullptr) return;
        prev->next = next;
        next->prev = prev;
        prev = next = nullptr;
    }
};

/// The usual node: a link and the waiting task's waker. Primitives whose
/// waiter must learn why it was dequeued derive from it and add that flag
/// (stored last by the waker side, after taking `waker`).
struct Waiter : WaitLink {
    std::optional<Waker> waker;  ///< guarded by the owner's mutex

    /// Stores `w` unless the stored waker already wakes the same task; the
    /// replaced waker is handed back, to be dropped once the lock is released
    /// (dropping a waker runs foreign code).
    [[nodiscard]] std::optional<Waker> set_waker(const Waker& w) {
        if (waker && waker->will_wake(w)) return std::nullopt;
        std::optional<Waker> old = std::move(waker);
        waker.emplace(w);
        return old;
    }
    /// Unlinks the node and hands its waker back (to drop after unlocking):
    /// what a future destroyed while queued does.
    [[nodiscard]] std::optional<Waker> leave() {
        unlink();
        return std::exchange(waker, std::nullopt);
    }
};

/// Nodes are `Node`s deriving from WaitLink. Neither copyable nor movable:
/// the nodes point at the sentinel.
template <class Node>
class WaitList {
public:
    WaitList() { head_.prev = head_.next = &head_; }
    WaitList(const WaitList&) = delete;
    WaitList& operator=(const WaitList&) = delete;
    ~WaitList() { assert(empty() && "pollen: a sync primitive or channel was destroyed while futures wait on it"); }

    bool empty() const { return head_.next == &head_; }

    void push_back(Node* n) {
        WaitLink* link = n;
        assert(!link->is_linked());
        link->prev = head_.prev;
        link->next = &head_;
        head_.prev->next = link;
        head_.prev = link;
    }

    /// The oldest waiter, or nullptr.
    Node* front() const { return empty() ? nullptr : static_cast<Node*>(head_.next); }
    /// The newest waiter, or nullptr.
    Node* back() const { return empty() ? nullptr : static_cast<Node*>(head_.prev); }

    Node* pop_front() {
        Node* n = front();
        if (n) n->WaitLink::unlink();
        return n;
    }
    Node* pop_back() {
        Node* n = back();
        if (n) n->WaitLink::unlink();
        return n;
    }

    /// Moves every node of this list to the back of `other`, in order.
    void move_all_to(WaitList& other) {
        if (empty()) return;
        WaitLink* first = head_.next;
        WaitLink* last = head_.prev;
        first->prev = other.head_.prev;
        last->next = &other.head_;
        other.head_.prev->next = first;
        other.head_.prev = last;
        head_.prev = head_.next = &head_;
    }

private:
    WaitLink head_;
};

}  // namespace pollen::detail
