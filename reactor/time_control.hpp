#pragma once
/// The paused test clock (Tokio's `time::pause` / `resume` / `advance`).
/// They act on the current runtime's clock and must be called from inside
/// that runtime (a task, block_on, or a thread that entered it); outside one
/// they throw std::logic_error.
///
/// Paused, time stands still: `advance(d)` moves it and fires the timers that
/// fall due; and when every task is idle waiting for a timer, the runtime
/// jumps the clock to that timer (auto-advance). `resume()` lets real time
/// flow again from the paused instant: time never goes back, and a later
/// pause and advance add to the earlier ones.
///
/// Pausing needs the current-thread flavour
/// (`Builder::new_current_thread().start_paused(true)`), where "every task is
/// idle" is exact. Misuse throws std::logic_error, where Tokio panics with the
/// same words: `pause()` on a multi-thread runtime or on a paused clock
/// ("time is already frozen"), `resume()` or `advance(d)` on a running one
/// ("time is not frozen"; `advance` throws from its first poll). A negative
/// `d` throws std::invalid_argument (Tokio's Duration cannot be negative).

#include "../core/future_ext.hpp"
#include "detail/clock.hpp"

namespace pollen::time {

void pause();
void resume();
bool is_paused();

/// A future: moves the paused clock forward by `d`, fires the timers now due,
/// and completes after the tasks they woke had a chance to run.
class Advance : public FutureExt<Advance> {
public:
    using Output = void;
    explicit Advance(Duration d) : d_(d) {}
    Poll<void> poll(Context& cx);

private:
    Duration d_;
    bool advanced_ = false;
};

inline Advance advance(Duration d) { return Advance(d); }

}  // namespace pollen::time
