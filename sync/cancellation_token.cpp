// The tree operations of CancellationToken, all under the tree's one mutex.
#include "cancellation_token.hpp"

#include "detail/wake_list.hpp"

namespace pollen::detail {
namespace {

void link_child(TreeNode& parent, TreeNode& child) {
    child.parent = &parent;
    child.index_in_parent = parent.children.size();
    parent.children.push_back(&child);
}

void unlink_child(TreeNode& child) {
    TreeNode* p = child.parent;
    if (p == nullptr) return;
    TreeNode* last = p->children.back();
    p->children[child.index_in_parent] = last;
    last->index_in_parent = child.index_in_parent;
    p->children.pop_back();
    child.parent = nullptr;
}

}  // namespace

std::shared_ptr<TreeNode> new_child_node(TreeNode& parent) {
    auto child = std::make_shared<TreeNode>(parent.tree);
    std::lock_guard lock(*parent.tree);
    if (parent.cancelled.load(std::memory_order_relaxed)) child->cancelled.store(true, std::memory_order_relaxed);
    else link_child(parent, *child);
    return child;
}

void cancel_node(TreeNode& node) {
    if (node.cancelled.load(std::memory_order_acquire)) return;
    std::unique_lock lock(*node.tree);
    if (node.cancelled.load(std::memory_order_relaxed)) return;
    // Mark the whole subtree and gather its waiters, then cut the subtree
    // off: cancelled tokens need no more links.
    WaitList<CancelWaiter> batch;
    unlink_child(node);
    std::vector<TreeNode*> stack{&node};
    while (!stack.empty()) {
        TreeNode* n = stack.back();
        stack.pop_back();
        n->cancelled.store(true, std::memory_order_release);
        n->waiters.move_all_to(batch);
        for (TreeNode* c : n->children) {
            c->parent = nullptr;
            if (!c->cancelled.load(std::memory_order_relaxed)) stack.push_back(c);
        }
        n->children.clear();
    }
    std::exception_ptr thrown = release_waiters(batch, lock, [](CancelWaiter& w) {
        w.done.store(true, std::memory_order_release);
    });
    // A waker threw: the subtree is cancelled and every waiter woken; now it may unwind.
    if (thrown) std::rethrow_exception(thrown);
}

void detach_node(TreeNode& node) {
    std::lock_guard lock(*node.tree);
    TreeNode* parent = node.parent;
    unlink_child(node);
    for (TreeNode* c : node.children) {
        c->parent = nullptr;
        if (parent) link_child(*parent, *c);
    }
    node.children.clear();
}

bool poll_cancel_waiter(TreeNode& node, CancelWaiter& w, bool& queued, const Waker& waker) {
    std::optional<Waker> old;  // released after the lock
    std::optional<Waker> clone;
    if (!queued) clone.emplace(waker);  // foreign code: outside the lock
    std::lock_guard lock(*node.tree);
    if (node.cancelled.load(std::memory_order_relaxed)) {
        // The canceller may be between batches with us in its local list.
        old = w.leave();
        queued = false;
        return true;
    }
    if (!queued) {
        w.waker = std::move(clone);
        node.waiters.push_back(&w);
        queued = true;
    } else {
        old = w.set_waker(waker);
    }
    return false;
}

void cancel_cancel_waiter(TreeNode& node, CancelWaiter& w) {
    std::lock_guard lock(*node.tree);
    w.unlink();
}

}  // namespace pollen::detail
