#pragma once
/// Internal machinery of FuturesUnordered (futures-rs's ready-to-run queue).
///
/// Each future in the set lives in a heap Node that is also its Waker: the
/// Waker's data pointer is the node, its clone/drop count the node's
/// references. Waking a node pushes it onto the set's ReadyQueue (once: the
/// `queued` flag coalesces wakes until the set has taken it off the queue)
/// and wakes the task that polls the set. The set polls only the nodes it
/// finds on the queue. A node outlives its future whenever a Waker clone
/// does: the set destroys the future, the last reference frees the node.

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "../../waker.hpp"

namespace pollen::detail {

class ReadyNode;

/// Nodes woken since the set last looked, plus the waker of the set's consumer.
struct ReadyQueue {
    std::mutex mu;
    std::deque<ReadyNode*> nodes;  // each entry holds one reference to its node
    std::optional<Waker> consumer;
    bool closed = false;           // the set is gone: wakes are ignored
};

class ReadyNode {
public:
    explicit ReadyNode(std::shared_ptr<ReadyQueue> queue) : queue_(std::move(queue)) {}
    ReadyNode(const ReadyNode&) = delete;
    ReadyNode& operator=(const ReadyNode&) = delete;
    virtual ~ReadyNode() = default;

    /// A new Waker reference to this node.
    Waker waker() {
        refs_.fetch_add(1, std::memory_order_relaxed);
        return Waker(RawWaker{this, &vtable});
    }

    void add_ref() { refs_.fetch_add(1, std::memory_order_relaxed); }

    /// Drops one reference; the last one frees the node.
    static void release(ReadyNode* node) {
        if (node->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete node;
    }

    /// Called by the set just before polling the node's future, so that a
    /// wake arriving during (or after) that poll queues the node again.
    /// Acquire-release: the poll must see what the waking thread did first.
    void clear_queued() { queued_.exchange(false, std::memory_order_acq_rel); }

    /// Queues the node (unless already queued) and wakes the set's consumer.
    void wake() {
        if (queued_.exchange(true, std::memory_order_acq_rel)) return;
        std::optional<Waker> consumer;
        {
            std::lock_guard lock(queue_->mu);
            if (queue_->closed) return;
            add_ref();
            queue_->nodes.push_back(this);
            consumer = std::move(queue_->consumer);
            queue_->consumer.reset();
        }
        if (consumer) std::move(*consumer).wake();
    }

    /// Owner-only bookkeeping: the node's position in the set's list.
    std::size_t index = 0;

private:
    static RawWaker clone(const void* d) {
        node(d)->add_ref();
        return RawWaker{d, &vtable};
    }
    static void wake_fn(const void* d) {
        node(d)->wake();
        release(node(d));
    }
    static void wake_by_ref(const void* d) { node(d)->wake(); }
    static void drop(const void* d) { release(node(d)); }
    static ReadyNode* node(const void* d) { return const_cast<ReadyNode*>(static_cast<const ReadyNode*>(d)); }
    static constexpr RawWakerVTable vtable{clone, wake_fn, wake_by_ref, drop};

    std::atomic<std::size_t> refs_{1};  // the set's own reference
    std::atomic<bool> queued_{true};    // a new node is queued by push()
    std::shared_ptr<ReadyQueue> queue_;
};

}  // namespace pollen::detail
