#pragma once
/// Scheduler: what a task needs from the runtime that spawned it, and what
/// `Runtime`/`Handle` need from a flavour (current-thread or multi-thread).
/// Tasks hold a plain pointer to it: every task is complete before the
/// scheduler is destroyed (shutdown cancels the rest), and a complete task
/// never calls its scheduler again.

#include <atomic>
#include <cstdint>
#include <memory>
#include <source_location>
#include <string_view>

#include "../../core/detail/blocking_region.hpp"
#include "../metrics.hpp"
#include "driver.hpp"
#include "park.hpp"
#include "task/owned_tasks.hpp"
#include "task/runtime_stats.hpp"
#include "trace/trace_recorder.hpp"
#include "task/task.hpp"

namespace pollen::detail {

class ConsoleServer;

class Scheduler : public std::enable_shared_from_this<Scheduler> {
public:
    virtual ~Scheduler() = default;

    /// A wake made the task runnable; consumes the queue reference.
    virtual void schedule(Header* task) = 0;
    /// The task was woken during its own poll (a spent coop budget, say;
    /// yield_now defers its wake instead, defer.hpp): run it again after the
    /// other runnable tasks. Consumes the queue reference.
    virtual void schedule_yield(Header* task) { schedule(task); }

    /// The parker that `block_on` sleeps on between polls of its future.
    virtual std::shared_ptr<Parker> block_on_parker() = 0;
    /// Bracket a whole block_on on the calling thread (the current-thread
    /// flavour makes that thread its driver, so wakes and spawns from the
    /// block_on future land in its local queue, as Tokio's do).
    virtual void enter_block_on() {}
    virtual void exit_block_on() {}
    /// Called by block_on while its future is not woken: runs some work (the
    /// current-thread flavour runs its tasks here) or sleeps until `signal`
    /// is woken. Returns to let block_on poll again.
    virtual void drive_until_woken(BlockOnSignal& signal) = 0;

    /// block_in_place on this thread, which is inside this runtime: a worker
    /// hands its queued work and duties to a new thread and returns true;
    /// false when this thread has no worker to hand off (block_on's thread,
    /// a worker already handed off), so the caller just blocks. The
    /// current-thread flavour refuses (throws std::logic_error).
    virtual bool begin_block_in_place() { return false; }

    /// Destroys every unfinished task and stops the workers; idempotent.
    virtual void shutdown() = 0;

    /// The flavour's counters (the common ones are filled in by the caller).
    virtual void fill_metrics(RuntimeMetrics& m) = 0;

    /// A completed task leaves the owned list; true when that reference is the
    /// caller's. Called once per task, after its JoinHandle was woken.
    bool release(Header* task) {
        bool ours = owned_.remove(task);
        on_task_released(task);
        return ours;
    }

    /// Links, then schedules, a newly allocated task (or cancels it when the
    /// runtime is shutting down).
    void submit_new(Header* task);

    /// The pool behind spawn_blocking (null for the pool itself, and for the
    /// simulation, which refuses blocking closures).
    std::shared_ptr<Scheduler> blocking_pool;
    /// The pool, for spawn_blocking; std::logic_error where there is none.
    Scheduler& blocking_pool_or_throw();
    /// The seam to this runtime's reactor, where its idle threads park (driver.hpp).
    std::shared_ptr<Driver> driver;

    std::uint64_t next_task_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }
    OwnedTasks& owned() { return owned_; }
    /// Every task gets its id from next_task_id just before it is submitted,
    /// so the ids handed out count the spawns (no second counter to bump).
    std::uint64_t spawned() const { return next_id_.load(std::memory_order_relaxed) - 1; }

    /// A single poll longer than this logs a warning (0: never).
    std::int64_t slow_poll_ns = 10'000'000;
    /// Tasks' wakers count their clones, and a task left Pending with none
    /// alive and not woken is reported (Builder::detect_lost_wakers).
    bool detect_lost_wakers = false;
    std::atomic<std::uint64_t> lost_wakers{0};
    /// Present when every task gets a TaskStats block (Builder::task_stats):
    /// the runtime-wide histograms and the finished tasks' statistics.
    std::unique_ptr<RuntimeStats> runtime_stats;
    /// Present when the runtime records a timeline (Builder::trace), shared
    /// with its blocking pool; such a runtime keeps task statistics too.
    std::shared_ptr<TraceRecorder> trace;
    /// Present while the runtime serves the live console (Builder::console);
    /// Runtime's shutdown stops it first.
    std::shared_ptr<ConsoleServer> console;
    /// The trace category of this scheduler's polls.
    const char* trace_category = "poll";

protected:
    /// Each task passes once through each: when submitted (before it may run)
    /// and when released. The blocking pool holds the paused clock in between.
    virtual void on_task_submitted(Header* /*task*/) {}
    virtual void on_task_released(Header* /*task*/) {}

    OwnedTasks owned_;
    std::atomic<std::uint64_t> next_id_{1};
};

/// The scheduler of the runtime this thread is inside (a worker, or a thread
/// in block_on), or null.
Scheduler* current_scheduler();

// may_block_here(): core/detail/blocking_region.hpp, set by EnterGuard.

/// Marks this thread as inside `s` for its lifetime; nests (restores the previous).
class EnterGuard {
public:
    explicit EnterGuard(Scheduler* s, bool may_block = false);
    ~EnterGuard();
    EnterGuard(const EnterGuard&) = delete;
    EnterGuard& operator=(const EnterGuard&) = delete;

private:
    Scheduler* previous_;
    bool previous_may_block_;
    Reactor::EnterGuard reactor_;
};

/// A task carries statistics when its runtime keeps them or when it has a
/// name (which needs the block to live in).
template <Future F>
Header* new_task(Scheduler& s, F&& fut, std::source_location loc, std::string_view name = {}) {
    using C = Cell<std::decay_t<F>>;
    std::uint64_t id = s.next_task_id();
    if (!s.runtime_stats) [[likely]] {
        if (name.empty()) [[likely]]
            return C::create(std::forward<F>(fut), &s, id, loc);
        StatsClock::calibrate();  // a runtime that keeps statistics did at its build
    }
    auto [t, stats] = C::create_with_stats(std::forward<F>(fut), &s, id, loc, id, name, stats_now_ns());
    if (TraceRecorder* trace = s.trace.get()) [[unlikely]] {
        std::uint64_t flow = trace->new_flow();  // into its first poll
        stats->trace_flow.store(flow, std::memory_order_relaxed);
        trace->spawn(*stats, stats->created_ns, flow);
    }
    return t;
}

}  // namespace pollen::detail
