#pragma once
/// detail::WaitList: the intrusive FIFO of waiting futures that every sync
/// primitive is built on (Tokio's `LinkedList` of waiters). A waiter is a node
/// embedded in the waiting future itself, so waiting allocates nothing; the
/// list is only touched under the owning primitive's mutex.
///
/// The list is circular around a sentinel, so a node can unlink itself
/// without knowing which list holds it: `notify_waiters` or a cancellation
/// may move every node into a list on its own stack and wake them in batches
/// with the lock released, while a future destroyed in between still unlinks
/// cleanly. A node is linked iff `next != nullptr`.

#include <cassert>

namespace pollen::detail {

struct WaitLink {
    WaitLink* prev = nullptr;
    WaitLink* next = nullptr;

    bool is_linked() const { return next != nullptr; }

    /// Removes this node from whichever list holds it (no-op when unlinked).
    void unlink() {
        if (next == nullptr) return;
        prev->next = next;
        next->prev = prev;
        prev = next = nullptr;
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
    ~WaitList() { assert(empty() && "pollen: a sync primitive was destroyed while futures wait on it"); }

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
