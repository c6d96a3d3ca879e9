#include "timer_heap.hpp"

namespace pollen::detail {

void TimerHeap::insert(TimerEntry* e) {
    e->seq = next_seq_++;
    e->fired = false;
    heap_.push_back(e);
    e->heap_index = heap_.size() - 1;
    sift_up(e->heap_index);
}

void TimerHeap::remove(TimerEntry* e) {
    std::size_t i = e->heap_index;
    if (i == TimerEntry::kNotQueued) return;
    e->heap_index = TimerEntry::kNotQueued;
    TimerEntry* last = heap_.back();
    heap_.pop_back();
    if (i == heap_.size()) return;  // it was the last one
    place(i, last);
    sift_down(i);
    sift_up(last->heap_index);
}

void TimerHeap::update(TimerEntry* e) {
    if (e->heap_index == TimerEntry::kNotQueued) return;
    e->seq = next_seq_++;
    sift_up(e->heap_index);
    sift_down(e->heap_index);
}

TimerEntry* TimerHeap::pop() {
    if (heap_.empty()) return nullptr;
    TimerEntry* e = heap_.front();
    remove(e);
    return e;
}

void TimerHeap::sift_up(std::size_t i) {
    TimerEntry* e = heap_[i];
    while (i > 0) {
        std::size_t parent = (i - 1) / 2;
        if (!earlier(e, heap_[parent])) break;
        place(i, heap_[parent]);
        i = parent;
    }
    place(i, e);
}

void TimerHeap::sift_down(std::size_t i) {
    TimerEntry* e = heap_[i];
    std::size_t n = heap_.size();
    for (;;) {
        std::size_t child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && earlier(heap_[child + 1], heap_[child])) ++child;
        if (!earlier(heap_[child], e)) break;
        place(i, heap_[child]);
        i = child;
    }
    place(i, e);
}

}  // namespace pollen::detail
