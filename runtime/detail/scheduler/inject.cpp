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
    if (count_ == 0) return nullptr;
    Header* t = unlink();
    len_.store(count_, std::memory_order_relaxed);  // every writer holds mu_
    return t;
}

Header* Inject::pop_batch(LocalQueue& into, std::size_t num_workers) {
    if (len_.load(std::memory_order_acquire) == 0) return nullptr;
    std::lock_guard lock(mu_);
    std::size_t len = len_.load(std::memory_order_relaxed);
    if (len == 0) return nullptr;
    std::size_t n = std::min<std::size_t>(len / num_workers + 1, LocalQueue::kCapacity / 2);
    Header* first = unlink();
    std::size_t taken = 1;
    while (taken < n && count_ && into.try_push(ring_[head_])) {
        (void)unlink();
        ++taken;
    }
    len_.store(count_, std::memory_order_relaxed);  // every writer holds mu_
    return first;
}

void Inject::close(std::vector<Header*>& left) {
    std::lock_guard lock(mu_);
    closed_ = true;
    while (count_) left.push_back(unlink());
    std::vector<Header*>().swap(ring_);
    len_.store(0);
}

void Inject::link(Header* task) {
    if (count_ == ring_.size()) resize(std::max(kMinCapacity, 2 * ring_.size()));
    ring_[(head_ + count_) & (ring_.size() - 1)] = task;
    ++count_;
}

Header* Inject::unlink() {
    Header* t = ring_[head_];
    head_ = (head_ + 1) & (ring_.size() - 1);
    --count_;
    // Give back the memory of a burst once it has drained.
    if (ring_.size() > kMinCapacity && count_ < ring_.size() / 8) resize(ring_.size() / 2);
    return t;
}

void Inject::resize(std::size_t capacity) {
    std::vector<Header*> next(capacity);
    for (std::size_t i = 0; i < count_; ++i) next[i] = ring_[(head_ + i) & (ring_.size() - 1)];
    ring_.swap(next);
    head_ = 0;
}

}  // namespace pollen::detail
