#pragma once
/// EnterGuard: while it lives, the calling thread is inside a runtime
/// (Tokio's `Runtime::enter` / `Handle::enter`, made by those two methods):
/// `Handle::current()`, `spawn`, `spawn_blocking`, and timers and sockets
/// created on this thread find that runtime. It runs nothing by itself: with
/// the current-thread flavour, tasks spawned under it run at the next
/// block_on. What it does not change: whether this thread may block, so
/// block_on stays allowed outside tasks and refused inside them.
///
/// Guards nest (the innermost runtime wins) and must be destroyed in the
/// reverse order, on the thread that made them (debug builds assert it;
/// Tokio panics). It keeps the runtime's scheduler alive, not its tasks:
/// spawning under a guard of a Runtime already destroyed gives a task
/// reported cancelled. Neither copyable nor movable.

#include <cassert>
#include <memory>
#include <utility>

#include "detail/scheduler.hpp"

namespace pollen {

class [[nodiscard]] EnterGuard {
public:
    explicit EnterGuard(std::shared_ptr<detail::Scheduler> s)
        : sched_(std::move(s)), guard_(sched_.get(), detail::may_block_here()) {}
    ~EnterGuard() {
        assert(detail::current_scheduler() == sched_.get() &&
               "pollen: EnterGuards destroyed out of order (or on another thread)");
    }
    EnterGuard(const EnterGuard&) = delete;
    EnterGuard& operator=(const EnterGuard&) = delete;

private:
    std::shared_ptr<detail::Scheduler> sched_;
    detail::EnterGuard guard_;
};

}  // namespace pollen
