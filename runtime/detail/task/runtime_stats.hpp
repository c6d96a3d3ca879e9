#pragma once
/// RuntimeStats: the runtime-wide half of task statistics, present when a
/// runtime keeps them (Builder::task_stats): the histograms of poll
/// durations and scheduling delays (RuntimeMetrics), and the last finished
/// tasks' figures, so that a snapshot can still show them as done.
///
/// Both live in shards, one per thread that polls or finishes tasks (up to
/// kShards threads; any more share the last one): a thread's first visit
/// claims its shard, so each histogram counter has one writer, which adds
/// with a load and a store, and the finished tasks' ring has a lock that
/// only its thread and a reader ever take. A finished task's figures are
/// copied into its thread's ring as plain values (TaskFigures: the task's
/// block goes with its cell). Reading sums the histograms and merges the
/// rings, keeping the last `retain_done` by when they finished.
///
/// Threads: any. Owned by the Scheduler; outlives every poll and completion
/// of its tasks (a complete task never touches its scheduler again).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "../../../core/detail/adaptive_mutex.hpp"
#include "../../duration_histogram.hpp"
#include "../../task_snapshot.hpp"
#include "task_stats.hpp"

namespace pollen::detail {

class Scheduler;

class RuntimeStats {
public:
    /// Remembers the statistics of the last `retain_done` finished tasks.
    explicit RuntimeStats(std::size_t retain_done);
    ~RuntimeStats();
    RuntimeStats(const RuntimeStats&) = delete;
    RuntimeStats& operator=(const RuntimeStats&) = delete;

    /// One poll, given as the DurationHistogram buckets of its duration and
    /// of the time it waited in a queue first (the poll computes each once).
    void record_poll(std::size_t poll_bucket, std::size_t scheduled_bucket) {
        Shard& s = shard();
        if (s.shared) [[unlikely]] {
            s.poll[poll_bucket].fetch_add(1, std::memory_order_relaxed);
            s.scheduled[scheduled_bucket].fetch_add(1, std::memory_order_relaxed);
            return;
        }
        add_single_writer(s.poll[poll_bucket], 1);
        add_single_writer(s.scheduled[scheduled_bucket], 1);
    }
    DurationHistogram poll_times() const;
    DurationHistogram scheduled_delays() const;

    /// A task finished: keeps a copy of its figures among the last ones.
    /// By the thread that holds the task's RUNNING right (the only writer of
    /// its poll figures).
    void retire(const TaskStats& s);
    /// The finished tasks remembered, oldest first (by when they finished).
    std::vector<TaskFigures> done_tasks() const;

private:
    static constexpr std::size_t kShards = 64;
    struct alignas(64) Shard {
        std::array<std::atomic<std::uint64_t>, DurationHistogram::kBuckets> poll{};
        std::array<std::atomic<std::uint64_t>, DurationHistogram::kBuckets> scheduled{};
        /// The last shard, for the threads beyond kShards: locked adds.
        bool shared = false;
        mutable AdaptiveMutex done_mu;
        std::vector<TaskFigures> done;  // a ring, allocated as it fills
        std::size_t done_next = 0;       // the oldest slot once full
        std::thread::id owner;           // under claim_mu_
    };
    /// This thread's shard (claimed on its first call).
    Shard& shard() {
        if (tls_shard.serial == serial_) [[likely]] return *tls_shard.shard;
        return claim_shard();
    }
    [[gnu::noinline]] Shard& claim_shard();

    struct ThreadShard {
        std::uint64_t serial;
        Shard* shard;
    };
    static inline constinit thread_local ThreadShard tls_shard{0, nullptr};

    const std::uint64_t serial_;  // tells this thread's cached shard apart per RuntimeStats
    const std::size_t retain_done_;
    std::mutex claim_mu_;
    std::size_t claimed_ = 0;  // under claim_mu_
    std::array<Shard, kShards> shards_;
};

/// Every task of `s` (live ones from its owned list, then the finished ones
/// it remembers), as Runtime::task_snapshots returns them.
std::vector<TaskSnapshot> task_snapshots(Scheduler& s);

}  // namespace pollen::detail
