#pragma once
/// TaskSnapshot: one task as `Runtime::task_snapshots()` sees it, with the
/// figures tokio-console shows: name, spawn location, state, polls, busy /
/// scheduled / idle time, wakes, self-wakes, waker clones and drops, the
/// last wake, and the task's own poll-time histogram. A plain value (strings,
/// numbers, steady_clock instants), so that a console can serialise it.
///
/// The figures are kept only for tasks that carry statistics: every task
/// of a runtime built with Builder::task_stats(true) (or POLLEN_TASK_STATS=1),
/// and a task spawned with a name (task::Builder::name) on any runtime.
/// For the others `has_stats` is false and only id, name, location and
/// state are filled in.
///
/// Times are real time (never the runtime's paused clock) as
/// std::chrono::steady_clock instants, read through the CPU's time-stamp
/// counter where it can (a few ns a read; within a few tens of ms an hour
/// of steady_clock::now()), so two snapshots of the same process can be
/// subtracted. A task's counters are read without stopping it: a
/// snapshot of a running task is a little behind, never torn per field.

#include <chrono>
#include <cstdint>
#include <optional>
#include <source_location>
#include <string>

#include "duration_histogram.hpp"

namespace pollen {

/// tokio-console's task states. Done: the task completed (or was cancelled)
/// and the runtime still remembers it (Builder::task_stats_retain_done).
enum class TaskState { Running, Scheduled, Idle, Done };

constexpr const char* to_string(TaskState s) {
    switch (s) {
        case TaskState::Running: return "running";
        case TaskState::Scheduled: return "scheduled";
        case TaskState::Idle: return "idle";
        case TaskState::Done: return "done";
    }
    return "?";
}

struct TaskSnapshot {
    using Instant = std::chrono::steady_clock::time_point;
    using Duration = std::chrono::nanoseconds;

    std::uint64_t id = 0;
    std::string name;  ///< empty for a task spawned without one
    std::source_location spawned_at;
    TaskState state = TaskState::Idle;
    bool cancelling = false;  ///< aborted or shut down, not yet destroyed
    bool has_stats = false;   ///< false: the fields below are all zero

    std::uint64_t polls = 0;
    /// Every wake (by value or by reference) from any waker of the task...
    std::uint64_t wakes = 0;
    /// ...of which these came from inside the task's own poll (yield_now, a
    /// future that wakes itself before returning Pending).
    std::uint64_t self_wakes = 0;
    /// Clones of the task's waker made, and dropped (a wake by value drops
    /// its waker too): clones - drops are alive now.
    std::uint64_t waker_clones = 0;
    std::uint64_t waker_drops = 0;

    /// Inside poll, summed over the polls.
    Duration busy{0};
    /// Between becoming runnable (spawned, woken, or woken during its own
    /// poll) and the start of the poll that followed, summed.
    Duration scheduled{0};
    /// The rest of its life so far: waiting for a wake.
    Duration idle{0};
    /// From spawn to now, or to its end when done.
    Duration total{0};

    Instant created{};
    std::optional<Instant> first_poll;
    std::optional<Instant> last_poll_started;
    std::optional<Instant> last_poll_ended;
    std::optional<Instant> last_wake;
    std::optional<Instant> done;

    /// Its polls' durations.
    DurationHistogram poll_times;
};

}  // namespace pollen
