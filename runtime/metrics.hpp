#pragma once
/// RuntimeMetrics: a snapshot of what a runtime is doing (Tokio's
/// `RuntimeMetrics`), from `Runtime::metrics()`. Counters are cumulative
/// since the runtime was built; read twice and subtract for rates.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "duration_histogram.hpp"

namespace pollen {

struct WorkerMetrics {
    std::uint64_t polls = 0;         ///< task polls run by this worker
    std::uint64_t steals = 0;        ///< successful steal operations
    std::uint64_t stolen_tasks = 0;  ///< tasks taken from other workers
    std::uint64_t parks = 0;         ///< times it went to sleep
};

struct RuntimeMetrics {
    std::size_t workers = 0;             ///< 0 for the current-thread flavour's thread in block_on
    std::uint64_t tasks_spawned = 0;
    std::size_t tasks_alive = 0;         ///< spawned and not finished
    std::uint64_t polls = 0;
    std::uint64_t steals = 0;
    std::uint64_t parks = 0;
    std::size_t global_queue_depth = 0;  ///< tasks waiting in the inject queue
    std::size_t blocking_threads = 0;    ///< live threads of the blocking pool
    std::size_t blocking_queue_depth = 0;
    /// Polls that left a task Pending with no live waker clone and no wake
    /// (counted when Builder::detect_lost_wakers is on).
    std::uint64_t lost_waker_count = 0;
    /// With Builder::task_stats: every task poll's duration, and the time
    /// each poll's task waited between becoming runnable and that poll
    /// (Tokio's poll-count histogram, log scale; DurationHistogram says the
    /// buckets). All zero without task statistics.
    bool task_stats = false;
    DurationHistogram poll_time_histogram;
    DurationHistogram scheduled_delay_histogram;
    std::vector<WorkerMetrics> per_worker;
};

}  // namespace pollen
