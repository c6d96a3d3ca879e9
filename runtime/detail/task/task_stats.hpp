#pragma once
/// TaskStats: what a task records about its polls and wakes when it carries
/// statistics (Builder::task_stats, or a task::Builder name), in a block
/// that shares the task's one allocation; and TaskDiagnostics, the one header word that
/// holds either the task's spawn location (no statistics: no block, no
/// cost) or that block, which holds the location in turn.
///
/// Who writes what: the spawn writes only the block's last line (next to
/// the cell's header, which it writes anyway); the first poll sets every
/// other figure, before any waker of the task can exist, and publishes
/// them with its poll count. From then on the poll's figures are written
/// by the thread polling the task (one at a time: the state word orders
/// the polls), the wake figures by wakers on any thread; all relaxed, read
/// by any thread (task_snapshots, dump): they are reports, not
/// synchronisation. The block lives in the task's own allocation, just
/// before the cell (Cell::create_with_stats), and goes with it; a finished
/// task's figures outlive it as a copy (runtime_stats.hpp).

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

/// The statistics' clock (read once or twice per poll): the CPU's
/// time-stamp counter where it is invariant (x86-64), scaled to
/// nanoseconds of CLOCK_MONOTONIC, the clock of std::chrono::steady_clock,
/// by a calibration against it (5 ms, once per process; Builder::build
/// does it for a runtime that keeps statistics, the first named task for
/// one that does not). A read is a few ns, where clock_gettime costs 20 ns
/// on hardware and 80 ns in some VMs. The scale is exact to about 1e-5: it
/// may drift from steady_clock by a few tens of ms an hour. Before the
/// calibration, and where there is no such counter, a read is
/// clock_gettime(CLOCK_MONOTONIC): the same clock, only slower. Sub-microsecond polls
/// need the resolution; the slow-poll warning's coarse clock
/// (poll_diagnostics.hpp) would round them to zero.
class StatsClock {
public:
    static std::int64_t now_ns() {
#if defined(__x86_64__)
        // Acquire: the scale written before the flag was published.
        if (use_tsc_.load(std::memory_order_acquire)) [[likely]] {
            std::uint64_t ticks = __builtin_ia32_rdtsc() - base_tsc_;
            return base_ns_ + std::int64_t((unsigned __int128)ticks * ns_per_tick_q32_ >> 32);
        }
#endif
        return monotonic_ns();
    }
    static std::int64_t monotonic_ns() {
        timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    }
    /// Calibrates the counter the first time (thread-safe; 5 ms).
    static void calibrate();

private:
    // Written once, before use_tsc_ is set.
    static inline constinit std::uint64_t base_tsc_ = 0;
    static inline constinit std::int64_t base_ns_ = 0;
    static inline constinit std::uint64_t ns_per_tick_q32_ = 0;  // nanoseconds per tick, times 2^32
    static inline constinit std::atomic<bool> use_tsc_{false};
};

inline std::int64_t stats_now_ns() { return StatsClock::now_ns(); }

/// The figures of a task's polls: written by the thread that holds its
/// RUNNING right (the poller, or the thread that cancels it) and by no
/// other, through `TaskStats::set`, so that other threads may read them
/// through `TaskStats::get` while that thread reads them plainly.
/// Timestamps are stats_now_ns() values, 0 for never.
struct PollFigures {
    std::int64_t first_poll_ns;
    std::int64_t last_poll_started_ns;
    std::int64_t last_poll_ended_ns;
    std::int64_t busy_ns;
    std::int64_t scheduled_ns;
    std::int64_t done_ns;
    /// Wakes from inside the task's own poll: only the polling thread makes them.
    std::uint64_t self_wakes;
    /// The polls' durations (DurationHistogram's buckets).
    std::array<std::uint32_t, DurationHistogram::kBuckets> poll_times;
};

/// The figures of a task's wakers, from any thread: added to through
/// std::atomic_ref.
struct WakeFigures {
    /// The wakes from outside the task's poll but those in wakes_by_val (a
    /// snapshot's `wakes` adds wakes_by_val and self_wakes).
    std::uint64_t other_wakes;
    /// clones - drops - wakes_by_val are the live clones: lost-waker
    /// detection reads them (StatsPoll::after_poll), so there a drop counts
    /// only after its wake set NOTIFIED.
    std::uint64_t waker_clones;
    std::uint64_t waker_drops;
    /// The wakes by value from outside the poll where lost wakers are not
    /// detected: each is a wake and a drop, counted with one locked add.
    std::uint64_t wakes_by_val;
    std::int64_t last_wake_ns;

    /// What a snapshot shows (self_wakes aside).
    std::uint64_t wakes() const { return other_wakes + wakes_by_val; }
    std::uint64_t drops() const { return waker_drops + wakes_by_val; }
};

/// A TaskStats block's figures as plain values: what the runtime keeps of a
/// finished task once its block is gone (runtime_stats.hpp), and what a
/// snapshot is made from.
struct TaskFigures {
    std::source_location location;
    std::uint64_t id = 0;
    std::string name;
    std::int64_t created_ns = 0;
    std::uint64_t polls = 0;
    PollFigures poll{};
    WakeFigures wake{};
};

struct TaskStats {
    TaskStats(std::source_location loc, std::uint64_t task_id, std::string_view task_name, std::int64_t now)
        : runnable_since_ns(now),
          location(loc),
          id(task_id),
          name_(task_name.empty() ? nullptr : new std::string(task_name)),
          created_ns(now) {}
    TaskStats(const TaskStats&) = delete;
    TaskStats& operator=(const TaskStats&) = delete;

    /// Empty for a task spawned without one.
    const std::string& name() const {
        static const std::string none;
        return name_ ? *name_ : none;
    }

    /// A relaxed store or load of a figure that other threads read (or write) too.
    template <class T, class U>
    static void set(T& figure, U value) {
        std::atomic_ref<T>(figure).store(T(value), std::memory_order_relaxed);
    }
    template <class T>
    static T get(const T& figure) {
        return std::atomic_ref<T>(const_cast<T&>(figure)).load(std::memory_order_relaxed);
    }

    /// Sets every figure but the count to zero; by the holder of RUNNING, the
    /// first time it holds it (the first poll, or a cancellation before
    /// it), when no waker of the task exists yet and no reader looks.
    void start_figures() {
        poll = {};
        wake = {};
    }

    /// Copies the figures into `out` (reusing its name's buffer).
    /// `by_poller`: the caller holds the task's RUNNING right (it is the one
    /// writer of the poll figures), so it may copy them whole.
    void copy_figures(TaskFigures& out, bool by_poller) const {
        out.location = location;
        out.id = id;
        if (name_) out.name = *name_;
        else out.name.clear();
        out.created_ns = created_ns;
        if (by_poller) {
            // Set whenever RUNNING was held, even by a cancellation that never polled.
            out.polls = polls.load(std::memory_order_relaxed);
            out.poll = poll;
        } else {
            // Acquire: the first poll published the figures with its count.
            out.polls = polls.load(std::memory_order_acquire);
            if (out.polls == 0) {
                out.poll = {};
                out.wake = {};
                return;
            }
            out.poll.first_poll_ns = get(poll.first_poll_ns);
            out.poll.last_poll_started_ns = get(poll.last_poll_started_ns);
            out.poll.last_poll_ended_ns = get(poll.last_poll_ended_ns);
            out.poll.busy_ns = get(poll.busy_ns);
            out.poll.scheduled_ns = get(poll.scheduled_ns);
            out.poll.done_ns = get(poll.done_ns);
            out.poll.self_wakes = get(poll.self_wakes);
            for (std::size_t i = 0; i < DurationHistogram::kBuckets; ++i) out.poll.poll_times[i] = get(poll.poll_times[i]);
        }
        out.wake.other_wakes = get(wake.other_wakes);
        out.wake.waker_clones = get(wake.waker_clones);
        out.wake.waker_drops = get(wake.waker_drops);
        out.wake.wakes_by_val = get(wake.wakes_by_val);
        out.wake.last_wake_ns = get(wake.last_wake_ns);
    }

    // Laid out by who writes it: the figures first, the spawn's part last,
    // in the line before the cell's header, so that a spawn writes one line
    // of the block rather than four, and the thread that polls the task
    // first is the one that pulls the others in.
    // Not written by the spawn; set by start_figures.
    PollFigures poll;
    WakeFigures wake;

    // Written by the spawn.
    /// The polls so far. 0 until the first poll, which publishes the
    /// figures above with its store of 1 (release): a reader that loads 0
    /// (acquire) must not read them. Then counted by the polling thread.
    std::atomic<std::uint64_t> polls{0};
    /// When the task last became runnable: spawned, submitted by a wake, or
    /// re-queued after a poll it was woken in. Written by whoever makes it
    /// runnable, before the task is queued, so the next poll reads it.
    std::atomic<std::int64_t> runnable_since_ns;
    /// Traced runtimes only (trace_recorder.hpp): the flow id of the wake or
    /// spawn that the next poll was caused by; 0 for none.
    std::atomic<std::uint64_t> trace_flow{0};
    const std::source_location location;
    const std::uint64_t id;
    /// Only a named task pays for a string (and its heap block).
    const std::unique_ptr<const std::string> name_;
    const std::int64_t created_ns;
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
    /// The statistics block of a task known to carry one (its statistics waker, its stats poll).
    TaskStats& known_stats() const { return *reinterpret_cast<TaskStats*>(bits_ - kStatsTag); }
    std::source_location location() const {
        if (TaskStats* s = stats()) return s->location;
        return std::bit_cast<std::source_location>(bits_);
    }

private:
    std::uintptr_t bits_;
};

}  // namespace pollen::detail
