#include "inject.hpp"

#include <algorithm>

#include "../task/task.hpp"

namespace pollen::detail {

void Inject::push(Header* task) {
    {
        std::lock_guard lock(mu_);
        if (!closed_) {
            link(task);
            len_.fetch_add(1, std::memory_order_seq_cst);
            return;
        }
    }
    drop_reference(task);  // shut down: nobody will run it
}

void Inject::push_batch(std::vector<Header*>& tasks) {
    {
        std::lock_guard lock(mu_);
        if (!closed_) {
            for (Header* t : tasks) link(t);
            len_.fetch_add(tasks.size(), std::memory_order_seq_cst);
            return;
        }
    }
    for (Header* t : tasks) drop_reference(t);  // shut down: nobody will run them
}

Header* Inject::pop() {
    if (len_.load(std::memory_order_acquire) == 0) return nullptr;
    std::lock_guard lock(mu_);
    Header* t = head_;
    if (!t) return nullptr;
    head_ = t->queue_next;
    if (!head_) tail_ = nullptr;
    t->queue_next = nullptr;
    len_.fetch_sub(1, std::memory_order_relaxed);
    return t;
}

Header* Inject::pop_batch(LocalQueue& into, std::size_t num_workers) {
    if (len_.load(std::memory_order_acquire) == 0) return nullptr;
    std::lock_guard lock(mu_);
    std::size_t len = len_.load(std::memory_order_relaxed);
    if (len == 0) return nullptr;
    std::size_t n = std::min<std::size_t>(len / num_workers + 1, LocalQueue::kCapacity / 2);
    Header* first = head_;
    Header* t = first->queue_next;
    std::size_t taken = 1;
    while (taken < n && t && into.try_push(t)) {
        t = t->queue_next;
        ++taken;
    }
    head_ = t;
    if (!head_) tail_ = nullptr;
    len_.fetch_sub(taken, std::memory_order_relaxed);
    first->queue_next = nullptr;
    return first;
}

void Inject::close(std::vector<Header*>& left) {
    std::lock_guard lock(mu_);
    closed_ = true;
    for (Header* t = head_; t; t = t->queue_next) left.push_back(t);
    head_ = tail_ = nullptr;
    len_.store(0);
}

void Inject::link(Header* task) {
    task->queue_next = nullptr;
    if (tail_) tail_->queue_next = task;
    else head_ = task;
    tail_ = task;
}

}  // namespace pollen::detail
