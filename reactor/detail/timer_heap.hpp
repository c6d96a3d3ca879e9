#pragma once
/// TimerHeap: the pending timers of one reactor, a binary min-heap ordered by
/// (deadline, sequence number), so equal deadlines fire in registration order.
/// Each entry remembers its heap index, so cancelling is O(log n) (asio's
/// timer queue). Entries live inside the timer futures (Sleep); the heap only
/// points at them. Not thread-safe by itself: the reactor guards it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "../../core/waker.hpp"

namespace pollen::detail {

struct TimerEntry {
    static constexpr std::size_t kNotQueued = std::numeric_limits<std::size_t>::max();

    std::chrono::steady_clock::time_point deadline{};
    std::uint64_t seq = 0;
    std::size_t heap_index = kNotQueued;
    bool fired = false;
    std::optional<Waker> waker;
};

class TimerHeap {
public:
    void insert(TimerEntry* e);
    /// Removes a queued entry (no effect if it is not queued).
    void remove(TimerEntry* e);
    /// Re-sorts an entry whose deadline changed.
    void update(TimerEntry* e);
    TimerEntry* top() const { return heap_.empty() ? nullptr : heap_.front(); }
    TimerEntry* pop();
    std::size_t size() const { return heap_.size(); }
    bool empty() const { return heap_.empty(); }

private:
    static bool earlier(const TimerEntry* a, const TimerEntry* b) {
        return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
    }
    void place(std::size_t i, TimerEntry* e) {
        heap_[i] = e;
        e->heap_index = i;
    }
    void sift_up(std::size_t i);
    void sift_down(std::size_t i);

    std::vector<TimerEntry*> heap_;
    std::uint64_t next_seq_ = 0;
};

}  // namespace pollen::detail
