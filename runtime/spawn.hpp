#pragma once
/// spawn: starts a future as a new task on the runtime this thread is in
/// (Tokio's `tokio::spawn`) and returns its JoinHandle at once. Callable
/// from a task, a worker or inside block_on; throws std::logic_error
/// anywhere else. A closure (not a future) is refused at compile time with
/// pollen's message. The task runs whether or not its JoinHandle is kept
/// (dropping the handle detaches it) until it completes, is aborted, or the
/// runtime shuts down (which cancels it).
///
/// `detail::spawn_on` is the one place where a task is created and
/// submitted: `spawn`, `Handle::spawn`, `Runtime::spawn`, `spawn_blocking`
/// and `spawn_local` all go through it.
///
/// Threads: any thread inside a runtime.

#include <source_location>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "../core/future.hpp"
#include "detail/scheduler.hpp"
#include "join_handle.hpp"

namespace pollen {

namespace detail {
/// Allocates the task of `fut` on `s`, then links and schedules it (or
/// cancels it, when `s` is shutting down). `name`: task::Builder's.
template <Future F>
JoinHandle<output_t<F>> spawn_on(Scheduler& s, F fut, std::source_location loc, std::string_view name = {}) {
    Header* task = new_task(s, std::move(fut), loc, name);
    JoinHandle<output_t<F>> handle(task);
    s.submit_new(task);
    return handle;
}
}  // namespace detail

/// Spawns onto the runtime this thread is in (Tokio's `tokio::spawn`).
/// Throws std::logic_error when called outside a runtime.
template <Future F>
JoinHandle<output_t<F>> spawn(F fut, std::source_location loc = std::source_location::current()) {
    detail::Scheduler* s = detail::current_scheduler();
    if (!s)
        throw std::logic_error(
            "pollen::spawn called outside a runtime: call it from a task or inside "
            "block_on, or use Runtime::spawn / Handle::spawn");
    return detail::spawn_on(*s, std::move(fut), loc);
}
/// Refuses what is not a future (a closure, mostly) with pollen's message.
/// (It returns `auto`: the compiler then reads its body, hence the
/// static_assert, at the call, before any error the call's use could cause.)
template <class F>
    requires(!Future<F>)
auto spawn(F, std::source_location = std::source_location::current()) {
    static_assert(is_future_v<F>,
                  "pollen::spawn takes a future (a type with Output and poll(Context&)), not a closure: "
                  "pass the future itself, spawn(make_future()); wrap plain code in "
                  "pollen::future::lazy([] { ... }); give blocking code to spawn_blocking");
}

}  // namespace pollen
