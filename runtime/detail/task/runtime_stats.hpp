#pragma once
/// RuntimeStats: the runtime-wide half of task statistics, present when a
/// runtime keeps them (Builder::task_stats): the histograms of poll
/// durations and scheduling delays (RuntimeMetrics), and the last finished
/// tasks' statistics, so that a snapshot can still show them as done.
///
/// The histograms are sharded: each thread adds to the shard it drew on its
/// first poll, so two workers never fight over one cache line per poll;
/// reading sums the shards. The finished list is a ring under a lock, taken
/// once per completed task.
///
/// Threads: any. Owned by the Scheduler; outlives every poll and completion
/// of its tasks (a complete task never touches its scheduler again).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
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

    /// One poll of `poll_ns`, which waited `scheduled_ns` in a queue first.
    void record_poll(std::int64_t poll_ns, std::int64_t scheduled_ns) {
        Shard& s = shards_[shard_index()];
        s.poll[DurationHistogram::bucket_of(poll_ns)].fetch_add(1, std::memory_order_relaxed);
        s.scheduled[DurationHistogram::bucket_of(scheduled_ns)].fetch_add(1, std::memory_order_relaxed);
    }
    DurationHistogram poll_times() const;
    DurationHistogram scheduled_delays() const;

    /// A task finished: keeps (a share of) its block among the last ones.
    void retire(TaskStats* s);
    /// Calls fn(const TaskStats&) for each finished task remembered, oldest first.
    template <class Fn>
    void for_each_done(Fn&& fn) const {
        std::lock_guard lock(done_mu_);
        std::size_t n = done_.size();
        for (std::size_t i = 0; i < n; ++i)
            if (const TaskStats* s = done_[(done_next_ + i) % n]) fn(*s);
    }

private:
    static constexpr std::size_t kShards = 8;
    struct alignas(64) Shard {
        std::array<std::atomic<std::uint64_t>, DurationHistogram::kBuckets> poll{};
        std::array<std::atomic<std::uint64_t>, DurationHistogram::kBuckets> scheduled{};
    };
    static std::size_t shard_index();

    std::array<Shard, kShards> shards_;
    mutable AdaptiveMutex done_mu_;
    std::vector<TaskStats*> done_;  // a ring: done_next_ is the oldest slot
    std::size_t done_next_ = 0;
};

/// Every task of `s` (live ones from its owned list, then the finished ones
/// it remembers), as Runtime::task_snapshots returns them.
std::vector<TaskSnapshot> task_snapshots(Scheduler& s);

}  // namespace pollen::detail
