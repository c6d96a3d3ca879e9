#pragma once
/// TraceRecorder: the runtime's timeline (Builder::trace, POLLEN_TRACE=FILE):
/// spawns, one slice per poll on the polling thread's track, wakes with a
/// flow from the wake to the poll it caused, blocking-pool work (the pool's
/// polls, category "blocking") and timer firings, kept in a ring of a fixed
/// number of events (the oldest are overwritten, so a long run cannot eat
/// memory) and written as Chrome trace-event JSON, which Perfetto
/// (ui.perfetto.dev) and chrome://tracing open.
///
/// Tracing rides on task statistics (task_stats.hpp): a traced runtime keeps
/// them for every task, and the events are recorded from the statistics'
/// hooks (the poll, the statistics waker, the spawn), so a runtime that does
/// not trace pays nothing for it.
///
/// A flow id is handed out by a wake (or a spawn) and parked in the task's
/// TaskStats::trace_flow; the next poll takes it. Only the first wake since
/// the last poll gets one: the others caused no poll of their own.
///
/// Threads: any; the ring is under a lock (tracing is a debugging mode: one
/// uncontended lock per event).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../../../core/detail/adaptive_mutex.hpp"
#include "../../../reactor/detail/timer_observer.hpp"
#include "../task/task_stats.hpp"

namespace pollen::detail {

class TraceRecorder final : public TimerObserver {
public:
    /// Keeps the last `capacity` events (at least 1); `path`: where
    /// Runtime writes the trace at shutdown ("" for nowhere).
    TraceRecorder(std::string path, std::size_t capacity);

    const std::string& path() const { return path_; }
    std::uint64_t new_flow() { return next_flow_.fetch_add(1, std::memory_order_relaxed); }

    /// A task was spawned on this thread at `at`; `flow`: to its first poll.
    void spawn(const TaskStats& task, std::int64_t at, std::uint64_t flow);
    /// One poll on this thread, from `start` to `end`; `flow_in`: the wake's
    /// or spawn's (0: none).
    void poll(const TaskStats& task, const char* category, std::int64_t start, std::int64_t end,
              std::uint64_t flow_in);
    /// A wake of `task` on this thread; `flow_out`: to the poll it causes (0: none).
    void wake(const TaskStats& task, std::int64_t start, std::int64_t end, std::uint64_t flow_out, bool self_wake);
    std::int64_t timers_firing() override { return stats_now_ns(); }
    void timers_fired(std::size_t count, std::int64_t began) override;

    /// The events kept, as Chrome trace-event JSON.
    std::string to_json() const;
    /// Writes to_json() to `path` (through a temporary file, renamed);
    /// throws std::system_error when it cannot.
    void write(const std::string& path) const;

    std::size_t capacity() const { return ring_.size(); }
    /// True for the first caller only: the runtime writes the file once,
    /// however many times it is shut down.
    bool claim_final_write() { return !final_written_.exchange(true, std::memory_order_acq_rel); }

    /// One slot of the ring: plain values and static strings only, so a
    /// slot is copied whole under the lock and read without it.
    enum class Kind : std::uint8_t { kSpawn, kPoll, kWake, kTimers };
    struct Event {
        std::int64_t start = 0;
        std::int64_t end = 0;
        std::uint64_t task = 0;
        std::uint64_t flow = 0;  // out of a spawn or wake, into a poll
        const char* category = nullptr;  // static strings only
        const char* file = nullptr;      // a source_location's: static
        std::uint32_t line = 0;
        std::uint32_t tid = 0;
        std::uint32_t count = 0;  // timers fired
        Kind kind = Kind::kPoll;
        bool self_wake = false;
        char label[30] = {};  // the task's name, cut; empty: "task <id>"
    };

private:
    struct Thread {
        std::uint32_t tid;
        std::string name;
    };

    void record(Event& e, const TaskStats* task);
    std::uint32_t this_thread_tid();

    const std::string path_;
    const std::uint64_t serial_;  // tells a thread's cached registration apart per recorder
    const std::int64_t origin_ns_;
    std::atomic<std::uint64_t> next_flow_{1};
    std::atomic<bool> final_written_{false};
    mutable AdaptiveMutex mu_;
    std::vector<Event> ring_;
    std::uint64_t recorded_ = 0;  // ever; ring_[recorded_ % size] is the next slot
    std::vector<Thread> threads_;
};

}  // namespace pollen::detail
