#pragma once
/// yield_now(): gives other tasks a turn (Tokio's `task::yield_now`). The
/// first poll wakes its own task and returns Pending, so the scheduler puts
/// the task at the back of the run queue; the second poll is Ready.
/// Destroying it mid-way has no effect beyond the pending self-wake.

#include "../core/future_ext.hpp"

namespace pollen {

class YieldNow : public FutureExt<YieldNow> {
public:
    using Output = void;

    Poll<void> poll(Context& cx) {
        if (yielded_) return ready();
        yielded_ = true;
        cx.waker().wake_by_ref();
        return pending;
    }

    /// For task dumps (core/trace.hpp); a yielding task is queued, so it shows only in a race.
    void describe(TraceVisitor& v) const { v.waits_on("yield_now (woke itself)"); }

private:
    bool yielded_ = false;
};

inline YieldNow yield_now() { return {}; }

}  // namespace pollen
