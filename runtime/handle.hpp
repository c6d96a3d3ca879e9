#pragma once
/// Handle: a cheap, copyable reference to a Runtime (Tokio's
/// `runtime::Handle`), to spawn onto it or block on it from any thread,
/// including threads the runtime does not own. It keeps the runtime's
/// scheduler alive, not its tasks: spawning after the Runtime was destroyed
/// gives a JoinHandle that reports the task cancelled.

#include <memory>
#include <source_location>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../core/coop.hpp"
#include "../core/result.hpp"
#include "../core/future.hpp"
#include "detail/defer.hpp"
#include "detail/scheduler.hpp"
#include "detail/scheduler/blocking_pool.hpp"
#include "enter_guard.hpp"
#include "join_handle.hpp"
#include "metrics.hpp"
#include "spawn.hpp"           // detail::spawn_on (and the free spawn, which lived here)
#include "spawn_blocking.hpp"  // the free spawn_blocking, which lived here
#include "task_dump.hpp"

namespace pollen {

/// Which scheduler a runtime runs (Tokio's `RuntimeFlavor`; Simulation is
/// pollen's own, Builder::new_simulation).
enum class RuntimeFlavor { CurrentThread, MultiThread, Simulation };

/// Why Handle::try_current found no runtime (Tokio's `TryCurrentError`).
/// pollen keeps the current runtime in a plain thread-local pointer, which
/// is never destroyed, so the reason is always a missing context.
class TryCurrentError {
public:
    bool is_missing_context() const { return true; }
    bool is_thread_local_destroyed() const { return false; }
    std::string message() const {
        return "there is no reactor running, must be called from the context of a pollen runtime";
    }
};

class Handle {
public:
    explicit Handle(std::shared_ptr<detail::Scheduler> s) : sched_(std::move(s)) {}

    /// The runtime this thread is in (a worker, a task, or inside block_on).
    /// Throws std::logic_error outside any runtime.
    static Handle current();
    /// As current(), but tells instead of throwing (Tokio's `try_current`).
    static Result<Handle, TryCurrentError> try_current();
    /// As try_current().is_ok().
    static bool in_runtime();

    /// The flavour of the runtime this handle refers to.
    RuntimeFlavor runtime_flavor() const;
    /// The runtime's counters, as Runtime::metrics.
    RuntimeMetrics metrics() const;

    /// Makes this thread inside the runtime until the guard is destroyed
    /// (Tokio's `Handle::enter`); see EnterGuard.
    EnterGuard enter() const { return EnterGuard(sched_); }

    /// Runtime::dump and Runtime::task_dump, for code that holds only a
    /// Handle (a task: `Handle::current().task_dump()`, which lists the
    /// calling task as running).
    std::string dump() const;
    std::vector<TaskTrace> task_dump() const;

    /// Starts `fut` as a new task; returns at once.
    template <Future F>
    JoinHandle<output_t<F>> spawn(F fut,
                                  std::source_location loc = std::source_location::current()) const {
        return detail::spawn_on(*sched_, std::move(fut), loc);
    }
    /// Refuses what is not a future (a closure, mostly) with pollen's message.
    /// (These refusing overloads return `auto`: the compiler then reads their
    /// body, hence the static_assert, at the call, before any error the call's
    /// use could cause.)
    template <class F>
        requires(!Future<F>)
    auto spawn(F, std::source_location = std::source_location::current()) const {
        static_assert(is_future_v<F>,
                      "pollen::Handle::spawn takes a future (a type with Output and poll(Context&)), not a "
                      "closure: pass the future itself, spawn(make_future()); wrap plain code in "
                      "pollen::future::lazy([] { ... }); give blocking code to spawn_blocking");
    }

    /// Runs `fut` to completion on the calling thread and returns its output.
    /// With the current-thread flavour, the runtime's tasks run here too.
    /// Each poll of `fut` gets the cooperative budget a task poll gets.
    /// Must not be called from inside a runtime (a task would block its worker).
    template <Future F>
    output_t<F> block_on(F fut) const {
        if (!detail::may_block_here())
            throw std::logic_error(
                "pollen: block_on called from inside a runtime; spawn the future or "
                "compose it into the calling task instead");
        detail::EnterGuard enter(sched_.get());
        struct Driving {
            detail::Scheduler& s;
            explicit Driving(detail::Scheduler& sched) : s(sched) { s.enter_block_on(); }
            ~Driving() { s.exit_block_on(); }
        } driving(*sched_);
        // This thread's yields wait for a driver turn (the scheduler wakes
        // them in drive_until_woken); left over at the end, they are woken
        // into the queues while the thread still drives.
        detail::DeferScope defer;
        detail::BlockOnSignalRef signal(sched_->block_on_parker());
        Waker waker = signal->waker();
        Context cx(waker);
        for (;;) {
            if (signal->take_woken()) {
                // The root future gets a task's budget, as Tokio's does: a
                // block_on looping on always-ready leaves must yield too.
                auto p = [&] {
                    coop::BudgetScope budget;
                    return fut.poll(cx);
                }();
                if (p.is_ready()) {
                    if constexpr (std::is_void_v<output_t<F>>) return;
                    else return p.take();
                }
            }
            sched_->drive_until_woken(*signal);
        }
    }
    /// Refuses what is not a future (a closure, mostly) with pollen's message.
    template <class F>
        requires(!Future<F>)
    auto block_on(F) const {
        static_assert(is_future_v<F>,
                      "pollen::Handle::block_on takes a future (a type with Output and poll(Context&)), not "
                      "a closure: pass the future itself, block_on(make_future()); wrap plain code in "
                      "pollen::future::lazy([] { ... })");
    }

    /// Runs the blocking closure `fn` on the blocking pool; its JoinHandle
    /// gives the result (Tokio's `spawn_blocking`). Throws std::logic_error
    /// on a simulation runtime.
    template <class Fn>
    auto spawn_blocking(Fn fn, std::source_location loc = std::source_location::current()) const {
        return detail::spawn_on(sched_->blocking_pool_or_throw(), detail::BlockingTask<Fn>{std::move(fn)}, loc);
    }

    detail::Scheduler& scheduler() const { return *sched_; }

private:
    std::shared_ptr<detail::Scheduler> sched_;
};

}  // namespace pollen
