#pragma once
/// detail::ThreadParker: lets one OS thread sleep until another unparks it,
/// as Rust's `thread::park` / `Thread::unpark` (Tokio's ParkThread). The
/// token is binary: an unpark before the park makes that park return at
/// once, and several unparks before it count as one. `park` never returns
/// without an unpark (spurious condition-variable wake-ups are absorbed).
///
/// The one place that puts a thread to sleep for an async wake-up: the
/// channels' `blocking_send`/`blocking_recv` (`block_on_thread`) park on one,
/// and so does the runtime's `Parker` (runtime/detail/park.hpp) whenever it
/// does not wait in the reactor. The token is one atomic word (Rust std's
/// futex parker): parking with a token pending and unparking a thread that
/// is not asleep cost one atomic instruction each; the sleep itself is a
/// futex (futex.hpp: no spinning first), not a mutex and condition
/// variable (whose lock, wait and signal showed in block_on-heavy profiles).
/// The one exception is a ThreadSanitizer build, where it does sleep on a
/// condition variable so that signal handlers still run (see parker.cpp).
///
/// With `wake()` it is Rust's `Wake`: a shared_ptr to it backs Wakers through
/// `waker_from` (Tokio's UnparkThread).
///
/// Threads: `park` from one thread at a time; `unpark`/`wake` from any.

#include <atomic>

namespace pollen::detail {

class ThreadParker {
public:
    enum class SpinFirst : bool { no, yes };
    /// Sleeps until unpark() (returns at once if one is pending), consuming
    /// it. SpinFirst::yes looks at the token for a few µs (pauses, then a
    /// few sched_yield) before sleeping: for a thread that waits on a round
    /// trip it started (block_on), not for idle workers, whose spinning
    /// takes the core from threads with work on a busy machine.
    void park(SpinFirst spin = SpinFirst::no);
    /// Wakes the parked thread, or makes its next park return at once.
    void unpark();
    void wake() { unpark(); }

private:
    // park moves the word down one step (kNotified -> kEmpty: take the
    // token; kEmpty -> kParked: go to sleep), unpark sets it to kNotified.
    enum : int { kParked = -1, kEmpty = 0, kNotified = 1 };
    std::atomic<int> state_{kEmpty};
};

}  // namespace pollen::detail
