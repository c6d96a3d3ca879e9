#pragma once
/// Defer: the wakers of futures that yielded (yield_now) on this thread,
/// held back until the scheduler has turned its driver (Tokio's
/// runtime/defer.rs). A task that keeps yielding therefore cannot keep I/O
/// and timers from being looked at, and it runs again behind the tasks that
/// were already queued and those the driver turn woke.
///
/// One list per runtime context of a thread: a DeferScope opens one where a
/// thread enters a runtime to run its futures (a multi-thread worker, a
/// thread in block_on), and each scheduler's loop wakes it (take_and_wake)
/// right after its driver turn: out of work (a non-blocking turn instead of a
/// park), and every 61 tasks when busy (its maintenance turn), so that
/// yielders still run when the worker never runs dry. Outside a scope
/// (Handle::enter, a future polled by hand, a thread of its own) there is no
/// list and yield_now wakes at once.
///
/// Leaving a scope wakes what is left, as Tokio's worker does when it stops:
/// the schedulers take those wakes into their queues, or, shut down, drop
/// the tasks' references; nothing outlives the scope.
///
/// Threads: a list belongs to the thread whose scope opened it.

#include <vector>

#include "../../core/waker.hpp"

namespace pollen::detail {

// task/task.hpp's; declared here so that yield_now.hpp need not include the task harness.
bool defer_own_wake(const Waker& waker);

class Defer {
public:
    Defer() = default;
    Defer(const Defer&) = delete;
    Defer& operator=(const Defer&) = delete;
    ~Defer() {
        while (!is_empty()) take_and_wake();
    }

    /// Keeps a clone of `waker` until the next take_and_wake. Yielding
    /// twice before that keeps one: the wake would be the same. The waker
    /// of the task this thread is polling is not cloned: the task's runner
    /// moves its queue entry here after the poll instead (defer_own_wake,
    /// task.hpp), which saves the clone, the wake's state change and the drop.
    void defer(const Waker& waker) {
        if (!defer_own_wake(waker)) defer_clone(waker);
    }
    /// Keeps `entry` (one reference; woken by value) until the next take_and_wake.
    void push(Waker entry) {
        wakers_.push_back(RawWaker{nullptr, &noop_vtable});  // may throw: `entry` still owns it then
        wakers_.back() = std::move(entry).into_raw();
    }
    bool is_empty() const { return wakers_.empty(); }
    /// Wakes every deferred waker, in the order they were deferred. A yield
    /// made by one of those wakes (none of them polls, but a waker is any
    /// code) goes to the next round.
    void take_and_wake();

private:
    void defer_clone(const Waker& waker);

    // Owned references, held raw so that waking one leaves no moved-from
    // Waker to destroy (an indirect call each).
    std::vector<RawWaker> wakers_;
    std::vector<RawWaker> waking_;  // the round being woken; kept for its capacity
};

/// The list of the runtime context this thread is in, or null.
Defer* current_defer();

/// Opens a list for its lifetime on this thread (the previous one, if any,
/// is current again afterwards); wakes what is left when it closes.
class DeferScope {
public:
    DeferScope();
    ~DeferScope();
    DeferScope(const DeferScope&) = delete;
    DeferScope& operator=(const DeferScope&) = delete;
    Defer& list() { return list_; }

private:
    Defer list_;
    Defer* previous_;
};

}  // namespace pollen::detail
