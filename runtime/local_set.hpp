#pragma once
/// LocalSet: a set of tasks that all run on one thread (Tokio's
/// `task::LocalSet`), for futures holding state that is not thread-safe
/// (a plain refcount, an Rc-like pointer, a cache without locks).
///
///     pollen::Runtime rt = pollen::Builder::new_current_thread().enable_all().build();
///     pollen::LocalSet local;
///     int n = local.block_on(rt, pollen::future::lazy([] {
///         auto h = pollen::spawn_local(make_work());  // stays on this thread
///         return 1;
///     }));
///
/// The set owns a queue of local tasks and runs them only while it is itself
/// being driven, on the thread driving it, between polls of the driver:
/// - `run_until(fut)`: a future that polls `fut`, then up to 61 queued local
///   tasks; Ready with fut's output as soon as fut is Ready, even while
///   local tasks are still pending (they wait for the next drive);
/// - `block_on(rt, fut)`: `rt.block_on(run_until(fut))`;
/// - the LocalSet is itself a future (Output void), Ready once every task
///   spawned on it finished: `rt.block_on(std::move(local))`.
/// While it is driven, `pollen::spawn_local(fut)` spawns onto it;
/// `local.spawn_local(fut)` spawns onto it from outside a drive (the task
/// starts at the next drive). Both give an ordinary JoinHandle. Local tasks
/// run inside the driver's runtime: they use its reactor and timers,
/// `pollen::spawn` puts work on it, and each poll gets a task's cooperative
/// budget. A wake of a local task from any thread (another runtime's worker,
/// a plain thread) queues it and wakes the driver.
///
/// One thread: the set records the thread that first drives it; a poll of
/// run_until's future or of the set on any other thread throws
/// std::logic_error before touching a task (Tokio makes that a compile
/// error with `!Send`; pollen cannot). So never spawn `run_until(...)` onto a
/// multi-thread runtime, whose tasks move between workers. Driving it needs a
/// runtime context (std::logic_error otherwise).
///
/// A local task that throws reports the panic through its JoinHandle
/// (`is_panic`) and the set goes on (Tokio's default `unhandled_panic`,
/// Ignore; the ShutdownRuntime option is not there).
///
/// Destroying the LocalSet destroys every unfinished task on the destroying
/// thread (their JoinHandles report cancelled; a spawn_local from one of
/// those destructors gives a task cancelled at once). Destroy it on its
/// thread, or once that thread no longer uses it. run_until's future borrows
/// the set: the set must outlive it (moving the set is fine). The set's
/// tasks are not in the runtime's metrics or dump.
///
/// Threads: distinct objects: safe; a shared set is driven by one thread,
/// and its `spawn_local` method may be called from any thread.

#include <cassert>
#include <memory>
#include <source_location>
#include <stdexcept>
#include <utility>

#include "../core/future_ext.hpp"
#include "detail/scheduler/local_scheduler.hpp"
#include "handle.hpp"
#include "join_handle.hpp"
#include "runtime.hpp"
#include "spawn.hpp"

namespace pollen {

/// The future of `LocalSet::run_until`.
template <Future F>
class RunUntil : public FutureExt<RunUntil<F>> {
public:
    using Output = output_t<F>;

    RunUntil(detail::LocalScheduler* set, F fut) : set_(set), fut_(std::move(fut)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        set_->begin_drive(cx.waker());
        detail::LocalDriveGuard driving(set_);
        auto p = fut_.poll(cx);
        if (p.is_ready()) return p;
        // Queued tasks left over: come back soon, after the runtime's others.
        if (set_->tick()) cx.waker().wake_by_ref();
        return pending;
    }

private:
    detail::LocalScheduler* set_;
    F fut_;
    [[no_unique_address]] detail::PinCheck pin_;
};

class LocalSet : public FutureExt<LocalSet> {
public:
    using Output = void;

    LocalSet() : set_(std::make_unique<detail::LocalScheduler>()) {}
    LocalSet(LocalSet&&) noexcept = default;
    LocalSet& operator=(LocalSet&& other) noexcept {
        if (this != &other) {
            close();
            set_ = std::move(other.set_);
        }
        return *this;
    }
    LocalSet(const LocalSet&) = delete;
    LocalSet& operator=(const LocalSet&) = delete;
    ~LocalSet() { close(); }

    /// Spawns `fut` onto this set; it runs when the set is driven.
    template <Future F>
    JoinHandle<output_t<F>> spawn_local(F fut,
                                        std::source_location loc = std::source_location::current()) const {
        assert(set_ && "pollen: spawn_local on a moved-from LocalSet");
        return detail::spawn_on(*set_, std::move(fut), loc);
    }

    /// A future that drives this set until `fut` is Ready (see above).
    template <Future F>
    RunUntil<F> run_until(F fut) const {
        assert(set_ && "pollen: run_until on a moved-from LocalSet");
        return RunUntil<F>(set_.get(), std::move(fut));
    }

    /// Runs `fut` and this set's tasks on the calling thread until `fut` is
    /// Ready (Tokio's `LocalSet::block_on`); throws where block_on would.
    template <Future F>
    output_t<F> block_on(Runtime& rt, F fut) const {
        return rt.block_on(run_until(std::move(fut)));
    }

    /// Runs queued tasks; Ready once no task of the set is left.
    Poll<void> poll(Context& cx) {
        assert(set_ && "pollen: a moved-from LocalSet polled");
        set_->begin_drive(cx.waker());
        detail::LocalDriveGuard driving(set_.get());
        if (set_->tick()) {
            cx.waker().wake_by_ref();
            return pending;
        }
        if (set_->is_empty()) return ready();
        return pending;  // the rest wait for wakes, which wake us
    }

private:
    void close() {
        if (!set_) return;
        // As driven: a spawn_local from a destructor lands here, cancelled.
        detail::LocalDriveGuard driving(set_.get());
        set_->shutdown();
        set_.reset();
    }

    std::unique_ptr<detail::LocalScheduler> set_;
};

/// Spawns `fut` onto the LocalSet being driven on this thread (Tokio's
/// `task::spawn_local`): from a local task, or from run_until's future.
/// Throws std::logic_error anywhere else (Tokio panics).
template <Future F>
JoinHandle<output_t<F>> spawn_local(F fut, std::source_location loc = std::source_location::current()) {
    detail::LocalScheduler* s = detail::current_local_scheduler();
    if (!s)
        throw std::logic_error(
            "pollen::spawn_local called from outside of a LocalSet: call it from a local task or "
            "inside LocalSet::run_until / LocalSet::block_on, or use LocalSet::spawn_local");
    return detail::spawn_on(*s, std::move(fut), loc);
}
/// Refuses what is not a future (a closure, mostly) with pollen's message.
template <class F>
    requires(!Future<F>)
auto spawn_local(F, std::source_location = std::source_location::current()) {
    static_assert(is_future_v<F>,
                  "pollen::spawn_local takes a future (a type with Output and poll(Context&)), not a "
                  "closure: pass the future itself, spawn_local(make_future()); wrap plain code in "
                  "pollen::future::lazy([] { ... })");
}

}  // namespace pollen
