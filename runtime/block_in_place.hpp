#pragma once
/// block_in_place(fn): runs the blocking closure `fn` right here, on the
/// calling thread, and returns its result (Tokio's `task::block_in_place`).
///
/// Called from a task on a multi-thread runtime's worker, it first hands that
/// worker (its queued tasks, its place among the workers) to a new thread, so
/// the other tasks keep running while `fn` blocks; the calling thread finishes
/// the task's current poll and is then retired. Unlike spawn_blocking, `fn`
/// may borrow from the task (no copy, no 'static), but the task itself makes
/// no progress meanwhile: futures joined with it inside the task wait too.
///
/// Inside `fn`, blocking is allowed: `Handle::current().block_on(f)` works;
/// there is no cooperative budget (the task's is restored afterwards).
/// Where no worker is there to hand off (outside any runtime, on a blocking
/// pool thread, inside block_on of a multi-thread runtime, nested in another
/// block_in_place) it simply runs `fn`. On the current-thread runtime (a task,
/// or its block_on) it throws std::logic_error: the one thread that runs every
/// task cannot give them away (Tokio panics the same way); use spawn_blocking.
///
/// An exception from `fn` propagates to the caller, after the hand-off.

#include <optional>
#include <type_traits>

#include "../core/coop.hpp"
#include "detail/scheduler.hpp"

namespace pollen {

namespace detail {

/// Hands off the worker (if any) and allows blocking on this thread for its
/// lifetime, without a cooperative budget (Tokio stops coop there too).
class BlockInPlace {
public:
    BlockInPlace() {
        if (may_block_here()) return;  // nothing to hand off, blocking already allowed
        Scheduler* s = current_scheduler();
        if (!s) return;
        s->begin_block_in_place();  // throws on the current-thread flavour
        allow_block_.emplace(s, /*may_block=*/true);
    }

private:
    std::optional<EnterGuard> allow_block_;
    coop::BudgetScope no_budget_{-1};
};

}  // namespace detail

template <class Fn>
std::invoke_result_t<Fn&> block_in_place(Fn&& fn) {
    detail::BlockInPlace in_place;
    return fn();
}

}  // namespace pollen
