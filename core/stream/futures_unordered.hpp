#pragma once
/// FuturesUnordered<F>: futures-rs's `FuturesUnordered`, a set of futures
/// run concurrently inside one task, and a Stream of their outputs in the
/// order they complete (a void output becomes `Unit`).
///
/// `push` adds a future (not polled until the next poll_next). poll_next
/// polls only the futures that were woken since they were last polled:
/// each future gets its own Waker, which puts it on the set's ready queue
/// and wakes the task polling the set, so a set of n futures costs O(1) per
/// wake, not O(n). A completed future is destroyed at once and its output
/// returned. poll_next answers nullopt when the set is empty (pushing more
/// later is fine). Once it has polled as many futures as the set holds, if
/// more were woken meanwhile it wakes its own task and returns Pending, so
/// futures that keep waking themselves cannot monopolise the thread.
///
/// The futures' Wakers may be woken from any thread, even after the set is
/// gone (they then do nothing). The set itself belongs to one thread at a
/// time, and may be moved even after polling (the futures stay in their
/// heap nodes); a moved-from set must only be destroyed. Destroying the set
/// destroys every future still in it.

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "detail/ready_queue.hpp"
#include "stream_ext.hpp"

namespace pollen::stream {

template <class F>
class FuturesUnordered : public StreamExt<FuturesUnordered<F>> {
    static_assert(Future<F>, "pollen::FuturesUnordered holds futures");

    struct Node final : detail::ReadyNode {
        using detail::ReadyNode::ReadyNode;
        std::optional<F> fut;  // touched by the set's owner only
    };

public:
    using Item = unit_if_void_t<output_t<F>>;

    FuturesUnordered() : queue_(std::make_shared<detail::ReadyQueue>()) {}
    FuturesUnordered(FuturesUnordered&& o) noexcept
        : queue_(std::move(o.queue_)), nodes_(std::move(o.nodes_)), local_(std::move(o.local_)),
          terminated_(o.terminated_) {
        o.nodes_.clear();
        o.local_.clear();
    }
    FuturesUnordered& operator=(FuturesUnordered&& o) noexcept {
        if (this != &o) {
            close();
            queue_ = std::move(o.queue_);
            nodes_ = std::move(o.nodes_);
            local_ = std::move(o.local_);
            terminated_ = o.terminated_;
            o.nodes_.clear();
            o.local_.clear();
        }
        return *this;
    }
    ~FuturesUnordered() { close(); }

    /// Adds a future; it is first polled by the next poll_next.
    void push(F fut) {
        auto* node = new Node(queue_);
        node->fut.emplace(std::move(fut));
        node->index = nodes_.size();
        nodes_.push_back(node);
        // A new node starts out queued; the queue's reference is taken here.
        // local_ is the owner's side of the queue, so no lock is needed.
        node->add_ref();
        local_.push_back(node);
        terminated_ = false;
    }

    /// How many futures are in the set (not yet completed).
    std::size_t len() const { return nodes_.size(); }
    bool is_empty() const { return nodes_.empty(); }
    /// Exactly len() items (until more are pushed).
    SizeHint size_hint() const { return {len(), len()}; }

    /// True once poll_next answered nullopt, until the next push.
    bool is_terminated() const { return terminated_; }

    /// Destroys every future in the set; it stays usable.
    void clear() {
        close();
        queue_ = std::make_shared<detail::ReadyQueue>();
    }

    Poll<std::optional<Item>> poll_next(Context& cx) {
        if (nodes_.empty()) {
            terminated_ = true;
            return detail::ready_none<Item>();
        }
        const std::size_t yield_after = nodes_.size();
        std::size_t polled = 0;
        for (;;) {
            Node* node = pop_ready(cx);
            if (node == nullptr) return pollen::pending;
            // Drops the queue's reference however this iteration ends.
            struct QueueRef {
                Node* node;
                ~QueueRef() { detail::ReadyNode::release(node); }
            } queue_ref{node};
            if (!node->fut) continue;  // completed already: a late wake

            node->clear_queued();
            Poll<output_t<F>> p = poll_node(*node);
            if (p.is_ready()) {
                if constexpr (std::is_void_v<output_t<F>>) {
                    remove(node);
                    return detail::ready_some<Item>(Unit{});
                } else {
                    Item out = p.take();
                    remove(node);
                    return detail::ready_some<Item>(std::move(out));
                }
            }
            // After a full round, yield if futures woke (themselves, most
            // likely) in the meantime, rather than loop on them for ever.
            if (++polled >= yield_after && has_ready()) {
                cx.waker().wake_by_ref();
                return pollen::pending;
            }
        }
    }

private:
    static Poll<output_t<F>> poll_node(Node& node) {
        Waker waker = node.waker();
        Context cx(waker);
        return node.fut->poll(cx);
    }

    /// The next woken node (the caller then owns its queue reference), or
    /// nullptr after registering the consumer's waker.
    Node* pop_ready(Context& cx) {
        if (local_.empty()) {
            std::optional<Waker> old;  // dropped after unlocking
            std::lock_guard lock(queue_->mu);
            if (queue_->nodes.empty()) {
                if (!queue_->consumer || !queue_->consumer->will_wake(cx.waker())) {
                    old = std::move(queue_->consumer);
                    queue_->consumer.emplace(cx.waker());
                }
                return nullptr;
            }
            local_.swap(queue_->nodes);
        }
        auto* node = static_cast<Node*>(local_.front());
        local_.pop_front();
        return node;
    }

    bool has_ready() {
        if (!local_.empty()) return true;
        std::lock_guard lock(queue_->mu);
        return !queue_->nodes.empty();
    }

    /// Destroys a node's future and takes the node out of the set.
    void remove(Node* node) {
        node->fut.reset();
        std::size_t i = node->index;
        nodes_[i] = nodes_.back();
        nodes_[i]->index = i;
        nodes_.pop_back();
        detail::ReadyNode::release(node);
    }

    /// Destroys every future and drops every reference the set holds.
    void close() {
        if (!queue_) return;
        std::deque<detail::ReadyNode*> queued;
        std::optional<Waker> consumer;
        {
            std::lock_guard lock(queue_->mu);
            queue_->closed = true;
            queued.swap(queue_->nodes);
            consumer = std::move(queue_->consumer);
            queue_->consumer.reset();
        }
        // No lock is held while futures die: their destructors may wake.
        for (Node* node : nodes_) {
            node->fut.reset();
            detail::ReadyNode::release(node);
        }
        nodes_.clear();
        for (auto* node : local_) detail::ReadyNode::release(node);
        local_.clear();
        for (auto* node : queued) detail::ReadyNode::release(node);
        queue_.reset();
    }

    std::shared_ptr<detail::ReadyQueue> queue_;
    std::vector<Node*> nodes_;                // every future's node, each holding the set's reference
    std::deque<detail::ReadyNode*> local_;  // woken nodes taken off the shared queue
    bool terminated_ = false;
};

}  // namespace pollen::stream

namespace pollen {
using stream::FuturesUnordered;
}
