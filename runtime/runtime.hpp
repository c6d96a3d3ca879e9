#pragma once
/// Runtime: the executor that runs tasks (Tokio's `Runtime`).
///
/// `block_on(fut)` drives a future to completion on the calling thread;
/// `spawn(fut)` starts a task and returns its JoinHandle. Destroying the
/// Runtime shuts it down: every unfinished task is destroyed (its destructors
/// run, its JoinHandle reports cancellation), runtime threads are joined.

#include <chrono>
#include <memory>
#include <source_location>
#include <string>
#include <vector>

#include "builder.hpp"
#include "handle.hpp"
#include "metrics.hpp"
#include "simulation.hpp"
#include "spawn.hpp"
#include "task_dump.hpp"
#include "task_snapshot.hpp"

namespace pollen {

class Runtime {
public:
    /// A multi-thread runtime builder (Tokio's `Builder::new_multi_thread`).
    static Builder builder();

    Runtime(Runtime&&) noexcept = default;
    Runtime& operator=(Runtime&& other) noexcept;
    ~Runtime();

    template <Future F>
    output_t<F> block_on(F fut) {
        return handle().block_on(std::move(fut));
    }
    template <Future F>
    JoinHandle<output_t<F>> spawn(F fut, std::source_location loc = std::source_location::current()) {
        return detail::spawn_on(*sched_, std::move(fut), loc);
    }
    // What is not a future (a closure, mostly) is refused with pollen's message.
    template <class F>
        requires(!Future<F>)
    auto block_on(F) {
        static_assert(is_future_v<F>,
                      "pollen::Runtime::block_on takes a future (a type with Output and poll(Context&)), "
                      "not a closure: pass the future itself, block_on(make_future()); wrap plain code in "
                      "pollen::future::lazy([] { ... })");
    }
    template <class F>
        requires(!Future<F>)
    auto spawn(F, std::source_location = std::source_location::current()) {
        static_assert(is_future_v<F>,
                      "pollen::Runtime::spawn takes a future (a type with Output and poll(Context&)), not "
                      "a closure: pass the future itself, spawn(make_future()); wrap plain code in "
                      "pollen::future::lazy([] { ... }); give blocking code to spawn_blocking");
    }
    template <class Fn>
    auto spawn_blocking(Fn fn, std::source_location loc = std::source_location::current()) {
        return handle().spawn_blocking(std::move(fn), loc);
    }
    Handle handle() const { return Handle(sched_); }
    /// Makes this thread inside the runtime until the guard is destroyed
    /// (Tokio's `Runtime::enter`): `auto guard = rt.enter();`. See EnterGuard.
    EnterGuard enter() const { return EnterGuard(sched_); }

    /// Shuts down now: destroys every unfinished task, joins the workers, and
    /// waits at most `timeout` for running blocking closures (those still
    /// running afterwards finish on their own threads).
    void shutdown_timeout(std::chrono::nanoseconds timeout);
    /// shutdown_timeout(0): returns without waiting for blocking closures
    /// (Tokio's `shutdown_background`); tasks are still destroyed before it returns.
    void shutdown_background();

    /// Counters: workers, tasks spawned/alive, polls, steals, parks, queue
    /// depths; with Builder::task_stats, the poll-time and scheduling-delay histograms.
    RuntimeMetrics metrics() const;
    /// Every live task of the runtime (not the blocking pool's), and with
    /// Builder::task_stats the last finished ones, ordered by id: what
    /// tokio-console shows of each (TaskSnapshot; its figures need statistics).
    std::vector<TaskSnapshot> task_snapshots() const;
    /// One line per task of task_snapshots(): id, state, name, spawn
    /// location and, for a task with statistics, its figures (polls, busy,
    /// scheduled and idle time, wakes, self-wakes, waker clones/drops, time
    /// since the last wake and poll), for finding stuck tasks; below an idle
    /// task's line, its future's tree (task_dump()) indented.
    std::string dump() const;
    /// Every live task with, for an idle one, the tree of its future: where
    /// it is parked, down to what its leaf waits for (task_dump.hpp says how
    /// it is taken without racing the workers). Any thread.
    std::vector<TaskTrace> task_dump() const;
    /// The timeline recorded so far (Builder::trace) as Chrome trace-event
    /// JSON; throws std::logic_error when the runtime records none.
    std::string trace_json() const;
    /// Writes trace_json() to `path` (the runtime also writes its
    /// Builder::trace path when it shuts down); throws std::logic_error when
    /// the runtime records no trace, std::system_error when the file cannot be written.
    void write_trace(const std::string& path) const;

    /// The socket the live console listens on (Builder::console), "" when
    /// the runtime serves none.
    std::string console_path() const;

    /// A simulation runtime's seed, event count, event-log hash and virtual
    /// time so far (Builder::new_simulation); throws std::logic_error on
    /// the other flavours.
    sim::Stats simulation_stats() const;

private:
    friend class Builder;
    explicit Runtime(std::shared_ptr<detail::Scheduler> s) : sched_(std::move(s)) {}
    void shutdown_now(std::chrono::nanoseconds blocking_timeout);
    std::shared_ptr<detail::Scheduler> sched_;
};

}  // namespace pollen
