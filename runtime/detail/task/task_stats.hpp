#pragma once
/// TaskStats: what a task records about its polls and wakes when it carries
/// statistics (Builder::task_stats, or a task::Builder name), in a block of
/// its own beside the cell; and TaskDiagnostics, the one header word that
/// holds either the task's spawn location (no statistics: no block, no
/// cost) or that block, which holds the location in turn.
///
/// Who writes what: the poll's figures are written by the thread polling the
/// task (one at a time: the state word orders the polls), the wake figures by
/// wakers on any thread; all relaxed, read by any thread (task_snapshots,
/// dump): they are reports, not synchronisation. The block has two owners,
/// the header and, once the task is done, the runtime's list of finished
/// tasks (runtime_stats.hpp); the last one to let go frees it.

#include <time.h>

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>

#include "../../../core/detail/single_writer.hpp"
#include "../../duration_histogram.hpp"
#include "task_alloc.hpp"

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

struct TaskStats {
    TaskStats(std::source_location loc, std::uint64_t task_id, std::string_view task_name, std::int64_t now)
        : location(loc), id(task_id), name(task_name), created_ns(now), runnable_since_ns(now) {}

    const std::source_location location;
    const std::uint64_t id;
    const std::string name;
    const std::int64_t created_ns;
    std::atomic<std::uint32_t> owners{1};

    // The polling thread's. Timestamps are stats_now_ns() values, 0 for never.
    std::atomic<std::uint64_t> polls{0};
    std::atomic<std::int64_t> busy_ns{0};
    std::atomic<std::int64_t> scheduled_ns{0};
    std::atomic<std::int64_t> first_poll_ns{0};
    std::atomic<std::int64_t> last_poll_started_ns{0};
    std::atomic<std::int64_t> last_poll_ended_ns{0};
    std::atomic<std::int64_t> done_ns{0};
    /// When the task last became runnable: spawned, submitted by a wake, or
    /// re-queued after a poll it was woken in. Written by whoever makes it
    /// runnable, before the task is queued, so the next poll reads it.
    std::atomic<std::int64_t> runnable_since_ns;
    std::array<std::atomic<std::uint32_t>, DurationHistogram::kBuckets> poll_times{};

    // Wakers', from any thread.
    std::atomic<std::uint64_t> wakes{0};
    std::atomic<std::uint64_t> self_wakes{0};
    std::atomic<std::uint64_t> waker_clones{0};
    std::atomic<std::uint64_t> waker_drops{0};
    std::atomic<std::int64_t> last_wake_ns{0};
    /// Traced runtimes only (trace_recorder.hpp): the flow id of the wake or
    /// spawn that the next poll was caused by; 0 for none.
    std::atomic<std::uint64_t> trace_flow{0};

    // Allocated and freed as often as cells, and as often across threads.
    static void* operator new(std::size_t size) { return task_allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { task_deallocate(p, size); }

    void retain() { owners.fetch_add(1, std::memory_order_relaxed); }
    /// Frees the block when this was its last owner.
    static void release(TaskStats* s) {
        if (s && s->owners.fetch_sub(1, std::memory_order_acq_rel) == 1) delete s;
    }
};

class TaskDiagnostics {
    // A source_location is one pointer to static, pointer-aligned data, so
    // the low bit is free to say "this is a TaskStats block".
    static_assert(sizeof(std::source_location) == sizeof(std::uintptr_t));
    static constexpr std::uintptr_t kStatsTag = 1;

public:
    explicit TaskDiagnostics(std::source_location loc) : bits_(std::bit_cast<std::uintptr_t>(loc)) {}
    /// Takes the first ownership of `stats` (given back by free_stats).
    explicit TaskDiagnostics(TaskStats* stats) : bits_(reinterpret_cast<std::uintptr_t>(stats) | kStatsTag) {}

    /// The statistics block, or null when the task carries none.
    TaskStats* stats() const {
        return bits_ & kStatsTag ? reinterpret_cast<TaskStats*>(bits_ & ~kStatsTag) : nullptr;
    }
    std::source_location location() const {
        if (TaskStats* s = stats()) return s->location;
        return std::bit_cast<std::source_location>(bits_);
    }
    void free_stats() { TaskStats::release(stats()); }

private:
    std::uintptr_t bits_;
};

}  // namespace pollen::detail
