#pragma once
/// TaskStats: what a task records about its polls and wakes when it carries
/// statistics (Builder::task_stats, or a task::Builder name), in a block
/// that shares the task's one allocation; and TaskDiagnostics, the one header word that
/// holds either the task's spawn location (no statistics: no block, no
/// cost) or that block, which holds the location in turn.
///
/// Who writes what: the poll's figures are written by the thread polling the
/// task (one at a time: the state word orders the polls), the wake figures by
/// wakers on any thread; all relaxed, read by any thread (task_snapshots,
/// dump): they are reports, not synchronisation. The block lives in the
/// task's own allocation, just before the cell (Cell::create_with_stats),
/// and goes with it; a finished task's figures outlive it as a copy
/// (runtime_stats.hpp).

#include <time.h>

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <source_location>
#include <string>
#include <memory>
#include <string_view>

#include "../../../core/detail/single_writer.hpp"
#include "../../duration_histogram.hpp"

namespace pollen::detail {

/// The statistics' clock (read two or three times per poll): the CPU's
/// time-stamp counter where it is invariant (x86-64), scaled to
/// nanoseconds of CLOCK_MONOTONIC, the clock of std::chrono::steady_clock,
/// by a calibration against it the first time (5 ms, once per process;
/// Builder::build does it for a runtime that keeps statistics). A read is
/// a few ns, where clock_gettime costs 20 ns on hardware and 80 ns in some
/// VMs (three quarters of a short poll's statistics). The scale is exact to
/// about 1e-5: it may drift from steady_clock by a few tens of ms an hour.
/// Elsewhere it is clock_gettime(CLOCK_MONOTONIC). Sub-microsecond polls
/// need the resolution; the slow-poll warning's coarse clock
/// (poll_diagnostics.hpp) would round them to zero.
struct StatsClock {
    std::uint64_t base_tsc = 0;
    std::int64_t base_ns = 0;
    std::uint64_t ns_per_tick_q32 = 0;  // nanoseconds per tick, times 2^32
    bool use_tsc = false;

    /// Calibrated on the first call (thread-safe).
    static const StatsClock& get();
    static std::int64_t monotonic_ns() {
        timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    }
};

inline std::int64_t stats_now_ns() {
#if defined(__x86_64__)
    static const StatsClock& clock = StatsClock::get();
    if (clock.use_tsc) {
        std::uint64_t ticks = __builtin_ia32_rdtsc() - clock.base_tsc;
        return clock.base_ns + std::int64_t((unsigned __int128)ticks * clock.ns_per_tick_q32 >> 32);
    }
#endif
    return StatsClock::monotonic_ns();
}

/// A TaskStats block's figures as plain values: what the runtime keeps of a
/// finished task once its block is gone (runtime_stats.hpp), and what a
/// snapshot is made from.
struct TaskFigures {
    std::source_location location;
    std::uint64_t id = 0;
    std::string name;
    std::int64_t created_ns = 0;
    std::int64_t first_poll_ns = 0;
    std::int64_t last_poll_started_ns = 0;
    std::int64_t last_poll_ended_ns = 0;
    std::int64_t busy_ns = 0;
    std::int64_t scheduled_ns = 0;
    std::int64_t done_ns = 0;
    std::int64_t last_wake_ns = 0;
    std::uint64_t polls = 0;
    std::uint64_t self_wakes = 0;
    std::uint64_t other_wakes = 0;
    std::uint64_t waker_clones = 0;
    std::uint64_t waker_drops = 0;
    std::array<std::uint32_t, DurationHistogram::kBuckets> poll_times{};
};

struct TaskStats {
    TaskStats(std::source_location loc, std::uint64_t task_id, std::string_view task_name, std::int64_t now)
        : location(loc),
          id(task_id),
          name_(task_name.empty() ? nullptr : new std::string(task_name)),
          created_ns(now),
          runnable_since_ns(now) {}
    TaskStats(const TaskStats&) = delete;
    TaskStats& operator=(const TaskStats&) = delete;

    /// Empty for a task spawned without one.
    const std::string& name() const {
        static const std::string none;
        return name_ ? *name_ : none;
    }

    // Laid out by who writes it, in as few cache lines as can be: the spawn
    // writes the block and the first poll (often on another core) pulls in
    // every line of it.
    const std::source_location location;
    const std::uint64_t id;
    /// Only a named task pays for a string (and its heap block).
    const std::unique_ptr<const std::string> name_;
    const std::int64_t created_ns;

    // The polling thread's (the state word orders the polls; a cancelled
    // task's are written by the thread that holds RUNNING to cancel it).
    // Timestamps are stats_now_ns() values, 0 for never.
    /// When the task last became runnable: spawned, submitted by a wake, or
    /// re-queued after a poll it was woken in. Written by whoever makes it
    /// runnable, before the task is queued, so the next poll reads it.
    std::atomic<std::int64_t> runnable_since_ns;
    std::atomic<std::uint64_t> polls{0};
    std::atomic<std::int64_t> first_poll_ns{0};
    std::atomic<std::int64_t> last_poll_started_ns{0};
    std::atomic<std::int64_t> last_poll_ended_ns{0};
    std::atomic<std::int64_t> busy_ns{0};
    std::atomic<std::int64_t> scheduled_ns{0};
    std::atomic<std::int64_t> done_ns{0};
    /// Wakes from inside the task's own poll: only the polling thread makes them.
    std::atomic<std::uint64_t> self_wakes{0};

    // Wakers', from any thread.
    /// The other wakes (a snapshot's `wakes` adds self_wakes).
    std::atomic<std::uint64_t> other_wakes{0};
    /// clones - drops are the live clones: lost-waker detection reads them
    /// (PollDiagnostics::after_poll), so a drop counts only after its wake
    /// set NOTIFIED.
    std::atomic<std::uint64_t> waker_clones{0};
    std::atomic<std::uint64_t> waker_drops{0};
    std::atomic<std::int64_t> last_wake_ns{0};
    /// Traced runtimes only (trace_recorder.hpp): the flow id of the wake or
    /// spawn that the next poll was caused by; 0 for none.
    std::atomic<std::uint64_t> trace_flow{0};

    /// The polls' durations (DurationHistogram's buckets), the polling
    /// thread's. Plain counters, written and read by others through
    /// atomic_ref, so that the polling thread may copy them whole.
    std::array<std::uint32_t, DurationHistogram::kBuckets> poll_times{};

    void count_poll_time(std::int64_t ns) {
        std::atomic_ref<std::uint32_t> bucket(poll_times[DurationHistogram::bucket_of(ns)]);
        bucket.store(bucket.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    std::uint32_t poll_time_count(std::size_t bucket) const {
        return std::atomic_ref<std::uint32_t>(const_cast<std::uint32_t&>(poll_times[bucket]))
            .load(std::memory_order_relaxed);
    }

    /// Copies the figures into `out` (reusing its name's buffer). `by_poller`:
    /// the caller is the one writer of the poll figures (it holds the task's
    /// RUNNING right), so it may copy the histogram whole.
    void copy_figures(TaskFigures& out, bool by_poller) const {
        auto load = [](const auto& a) { return a.load(std::memory_order_relaxed); };
        out.location = location;
        out.id = id;
        if (name_) out.name = *name_;
        else out.name.clear();
        out.created_ns = created_ns;
        out.first_poll_ns = load(first_poll_ns);
        out.last_poll_started_ns = load(last_poll_started_ns);
        out.last_poll_ended_ns = load(last_poll_ended_ns);
        out.busy_ns = load(busy_ns);
        out.scheduled_ns = load(scheduled_ns);
        out.done_ns = load(done_ns);
        out.last_wake_ns = load(last_wake_ns);
        out.polls = load(polls);
        out.self_wakes = load(self_wakes);
        out.other_wakes = load(other_wakes);
        out.waker_clones = load(waker_clones);
        out.waker_drops = load(waker_drops);
        if (by_poller) {
            out.poll_times = poll_times;
        } else {
            for (std::size_t i = 0; i < DurationHistogram::kBuckets; ++i) out.poll_times[i] = poll_time_count(i);
        }
    }
};

class TaskDiagnostics {
    // A source_location is one pointer to static, pointer-aligned data, so
    // the low bit is free to say "this is a TaskStats block".
    static_assert(sizeof(std::source_location) == sizeof(std::uintptr_t));
    static constexpr std::uintptr_t kStatsTag = 1;

public:
    explicit TaskDiagnostics(std::source_location loc) : bits_(std::bit_cast<std::uintptr_t>(loc)) {}
    /// `stats` lives as long as the task (its cell frees both).
    explicit TaskDiagnostics(TaskStats* stats) : bits_(reinterpret_cast<std::uintptr_t>(stats) | kStatsTag) {}

    /// The statistics block, or null when the task carries none.
    TaskStats* stats() const {
        return bits_ & kStatsTag ? reinterpret_cast<TaskStats*>(bits_ & ~kStatsTag) : nullptr;
    }
    std::source_location location() const {
        if (TaskStats* s = stats()) return s->location;
        return std::bit_cast<std::source_location>(bits_);
    }

private:
    std::uintptr_t bits_;
};

}  // namespace pollen::detail
