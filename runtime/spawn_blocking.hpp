#pragma once
/// spawn_blocking: runs a blocking closure on the blocking pool of the
/// runtime this thread is in (Tokio's `task::spawn_blocking`) and returns a
/// JoinHandle of its result at once. The closure runs on a pool thread,
/// where blocking is allowed; once it started it cannot be stopped (abort
/// only prevents a closure that has not started yet), and runtime shutdown
/// waits for it up to the shutdown timeout. Throws std::logic_error outside
/// a runtime, and inside a simulation (Builder::new_simulation), whose
/// determinism a real thread would break. Which work belongs here: docs/spawn-vs-spawn-blocking.md.
///
/// Threads: any thread inside a runtime.

#include <source_location>
#include <stdexcept>
#include <utility>

#include "detail/scheduler.hpp"
#include "detail/scheduler/blocking_pool.hpp"
#include "spawn.hpp"

namespace pollen {

/// Runs the blocking closure `fn` on the current runtime's blocking pool
/// (Tokio's `task::spawn_blocking`). Throws std::logic_error outside a runtime.
template <class Fn>
auto spawn_blocking(Fn fn, std::source_location loc = std::source_location::current()) {
    detail::Scheduler* s = detail::current_scheduler();
    if (!s) throw std::logic_error("pollen::spawn_blocking called outside a runtime");
    return detail::spawn_on(s->blocking_pool_or_throw(), detail::BlockingTask<Fn>{std::move(fn)}, loc);
}

}  // namespace pollen
