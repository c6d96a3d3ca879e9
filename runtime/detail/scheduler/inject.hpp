#pragma once
/// Inject: the multi-thread scheduler's global run queue (Tokio's
/// scheduler/inject). Tasks woken outside any worker land here, and so does
/// the half of a full local queue that overflows; workers look at it every
/// 61 ticks and when their own queue is empty, taking a fair share at once
/// into their local queue (`pop_batch`). A FIFO ring of task pointers that
/// doubles when full (and halves when mostly empty) under an AdaptiveMutex,
/// with its length in an atomic so that an empty queue costs no lock. A
/// ring rather than Tokio's intrusive list: the link would cost every task
/// 8 bytes for its whole life, the ring only while it is queued.
///
/// Each entry owns one queue reference of its task. Once closed (shutdown),
/// a push drops the reference instead: nobody would run the task.
///
/// Threads: every member may be called from any thread.

#include <atomic>
#include <cstddef>
#include <vector>

#include "../../../core/detail/adaptive_mutex.hpp"
#include "../task/cell.hpp"
#include "local_queue.hpp"

namespace pollen::detail {

class Inject {
public:
    /// Queues `task` with its queue reference (dropped instead once closed).
    void push(Header* task);
    /// Queues all of `tasks` in order, under one lock.
    void push_batch(std::vector<Header*>& tasks);

    /// The oldest task, or null.
    Header* pop();

    /// The oldest task to run now, plus a fair share of the rest (the length
    /// over `num_workers`, at most half a local queue) pushed into `into`,
    /// where other workers can steal them: one lock, many tasks. Null when empty.
    Header* pop_batch(LocalQueue& into, std::size_t num_workers);

    /// Sequentially consistent: the parking worker's last look at the queues
    /// (the store/load handshake with producers) reads it.
    bool is_empty() const { return len_.load(std::memory_order_seq_cst) == 0; }
    /// For metrics: a snapshot, maybe stale.
    std::size_t len() const { return len_.load(std::memory_order_relaxed); }

    /// Shutdown: refuses further pushes and appends to `left` every task still
    /// queued (their queue references are the caller's to drop).
    void close(std::vector<Header*>& left);

private:
    // Under mu_.
    void link(Header* task);
    Header* unlink();
    void resize(std::size_t capacity);

    static constexpr std::size_t kMinCapacity = 256;

    AdaptiveMutex mu_;
    std::vector<Header*> ring_;  // power-of-two size once used
    std::size_t head_ = 0;       // index of the oldest task
    std::size_t count_ = 0;
    std::atomic<std::size_t> len_{0};
    bool closed_ = false;  // under mu_
};

}  // namespace pollen::detail
