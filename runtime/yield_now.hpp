#pragma once
/// yield_now(): gives other tasks a turn (Tokio's `task::yield_now`). The
/// first poll returns Pending and the second is Ready. Inside a runtime (a
/// worker, or a thread in block_on) the first poll does not wake the task
/// itself: it hands its waker to the thread's defer list
/// (runtime/detail/defer.hpp), which the scheduler wakes only after its next
/// driver turn (a task's own waker is not cloned: the task's queue entry
/// waits there, the task counting as queued meanwhile). So a task that
/// keeps yielding lets timers and I/O be looked at between its polls, and
/// runs again behind the tasks already queued (and those the driver turn
/// woke). Elsewhere (no runtime context, a future
/// polled by hand, Handle::enter only) it wakes itself at once.
///
/// Destroying it after the first poll leaves the deferred wake in the list:
/// the task is woken once more, which a task must always tolerate.
/// Threads: polled by one thread at a time, like any future.

#include "../core/future_ext.hpp"
#include "detail/defer.hpp"

namespace pollen {

class YieldNow : public FutureExt<YieldNow> {
public:
    using Output = void;

    Poll<void> poll(Context& cx) {
        if (yielded_) return ready();
        yielded_ = true;
        if (detail::Defer* defer = detail::current_defer()) defer->defer(cx.waker());
        else cx.waker().wake_by_ref();
        return pending;
    }

    /// For task dumps (core/trace.hpp): queued, or deferred until the driver's next turn.
    void describe(TraceVisitor& v) const { v.waits_on("yield_now (deferred until the driver's turn)"); }

private:
    bool yielded_ = false;
};

inline YieldNow yield_now() { return {}; }

}  // namespace pollen
