#pragma once
/// The task harness (Tokio's task/harness.rs and waker.rs): the functions
/// that move a task (cell.hpp) through its life, from a run queue's poll to
/// completion, cancellation, shutdown and reaping, and the task's Waker.
///
/// The state word (task_state.hpp) makes lost and double wake-ups
/// impossible: only the wake that sets NOTIFIED on an idle task submits it,
/// a wake while RUNNING leaves the resubmission to the runner, a wake after
/// COMPLETE is a no-op, and the header lives while any reference exists, so
/// waking a task that finished or was dropped is always safe. Each function
/// below applies one transition of the state word and acts on the decision
/// it returns. Threads: any, each as its comment says.

#include <cstdint>

#include "../../../core/waker.hpp"
#include "cell.hpp"

namespace pollen::detail {

struct PollClock;

/// Runs one poll of a task taken from a run queue (which owned one
/// reference). `clock`: the calling thread's PollClock when it runs task
/// after task (poll_clock.hpp), else null.
void run_task(Header* task, PollClock* clock = nullptr);
/// Runtime shutdown: cancels the task now unless it is running elsewhere
/// (then the runner cancels it after its poll). Consumes no reference.
void shutdown_task(Header* task);
/// Drops `n` references; the last one frees the task.
void drop_reference(Header* task, std::uint64_t n = 1);
/// JoinHandle side.
void drop_join_handle(Header* task);
/// The JoinHandle's poll: true when the task is complete and its output may
/// be taken; otherwise stores (a clone of) `waker` for completion to wake
/// and returns false (Tokio's can_read_output).
bool can_read_output(Header* task, const Waker& waker);
void abort_task(Header* task);
bool is_complete(const Header* task);

/// Reaping (TaskScope): cancel a task and know its future is destroyed:
/// `if (start_reap(t)) wait_reaped(t);` (or start many, then wait for each).
/// What the reaper does is State::transition_to_reaped's ReapAction.
/// Applies transition_to_reaped: cancels an idle task in place (its future is
/// destroyed on the calling thread) or marks a running one cancelled.
/// Returns true when another thread is polling it: wait_reaped must follow.
/// Consumes no reference; the caller holds one.
bool start_reap(Header* task);
/// Blocks until the task is COMPLETE (its future destroyed): for at most the
/// rest of the one poll its runner is in (spins briefly, then a futex wait).
void wait_reaped(Header* task);
/// True while this thread is inside the task's poll or cancellation.
bool running_on_this_thread(const Header* task);

/// The defer list's shortcut for a task that defers its own wake (yield_now,
/// defer.hpp): true when `waker` is the plain Waker of the task whose poll
/// is innermost on this thread. The task's runner then, after the poll,
/// clears RUNNING and sets NOTIFIED in one step (transition_to_idle_deferred)
/// and moves its queue entry to this thread's defer list, whose wake only
/// submits it: no clone, no state change and no drop. False (the caller
/// clones as usual) for any other waker, including the counting and
/// statistics ones. Meanwhile the task counts as queued: a wake finds it
/// NOTIFIED and does nothing, an abort marks it for its runner.
bool defer_own_wake(const Waker& waker);

/// Task dumps (runtime/task_dump.hpp): the tree of an idle task's future,
/// read while holding its RUNNING right (State::transition_to_inspecting),
/// which is then given back as a runner gives it back after a poll. False,
/// with nothing read, for a task that is running, queued or complete. The
/// caller holds a reference.
bool trace_idle_task(Header* task, TraceFrame& out);

/// The task's Waker; `borrowed` makes one that holds no reference (for poll).
extern const RawWakerVTable task_waker_vtable;
/// The same Waker that also counts its live clones in `waker_clones`, used
/// when the scheduler detects lost wakers (so the plain one stays free of it).
extern const RawWakerVTable counting_task_waker_vtable;
/// The Waker of a task that carries statistics (task_stats.hpp): counts its
/// wakes, self-wakes, clones and drops and stamps the last wake; clones
/// minus drops are its live clones, so lost-waker detection still works.
extern const RawWakerVTable stats_task_waker_vtable;

}  // namespace pollen::detail
