#pragma once
/// The paused test clock (Tokio's `time::pause` / `resume` / `advance`).
/// They act on the current runtime's clock and must be called from inside
/// that runtime (a task or block_on); outside one they throw std::logic_error.
///
/// Paused, time stands still: `advance(d)` moves it and fires the timers that
/// fall due; and when every task is idle waiting for a timer, the runtime
/// jumps the clock to that timer (auto-advance). Use it with the
/// current-thread flavour (`Builder::new_current_thread().start_paused(true)`),
/// where "every task is idle" is exact.

#include "../core/future_ext.hpp"
#include "clock.hpp"

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
