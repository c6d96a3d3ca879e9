#pragma once
/// TaskTrace: one task of `Runtime::task_dump()`, a snapshot of every live
/// task: its id, state and spawn location, and for an idle task the tree of
/// its future (core/trace.hpp): each combinator, each async body with the
/// file:line of the await it is parked at, down to the leaf and what it waits
/// for (a timer's deadline, a socket's readiness, a channel, a lock, a
/// JoinHandle). `Runtime::dump()` prints the same as text, and a runtime
/// built with `Builder::dump_on_signal` (or POLLEN_DUMP_SIGNAL) writes it to
/// stderr each time the signal arrives (docs/debugging.md).
///
/// Why reading another task's future is safe: the dump takes the task's
/// RUNNING right, the same bit a worker takes to poll it (runtime/detail/
/// task/task_state.hpp, transition_to_inspecting), so no thread polls,
/// cancels or destroys the future while it is read, and the bit's
/// acquire/release orders the read after the last poll's writes. Only idle
/// tasks (not running, not queued) are read; the dumper gives the bit back as
/// a worker does after a poll, resubmitting a task woken meanwhile and
/// cancelling one aborted meanwhile. A running or queued task is listed
/// without a tree (it is not parked). Unlike Tokio's task dump, which polls
/// each task in a tracing mode, nothing is polled: no task code runs but
/// `describe`, which only reads; a future without it shows as an opaque node. The future of `block_on`
/// itself is not a task and is not listed; nor are LocalSet tasks.
///
/// Threads: `task_dump()` may be called from any thread, also from inside a
/// task of the same runtime (that task shows as running).

#include <cstdint>
#include <optional>
#include <source_location>
#include <string>

#include "../core/trace.hpp"

namespace pollen {

struct TaskTrace {
    enum class State {
        kIdle,       ///< parked: waits for a wake; `future` holds its tree
        kScheduled,  ///< woken, waits in a run queue for a worker
        kRunning,    ///< being polled now (or being dumped by another thread)
        kComplete,   ///< finished, not yet unlinked
    };

    std::uint64_t id = 0;
    State state = State::kIdle;
    bool cancelling = false;             ///< aborted or shut down, not yet destroyed
    std::source_location spawned_at;
    std::optional<TraceFrame> future;    ///< idle tasks only

    static const char* state_name(State s);
};

}  // namespace pollen
