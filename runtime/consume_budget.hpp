#pragma once
/// consume_budget(): a future that spends one unit of the task's cooperative
/// budget (Tokio's `task::consume_budget`). Ready at once while budget
/// remains; once the budget is spent it wakes its task and returns Pending one
/// time, so that a long computation that touches no leaf future still gives
/// the other tasks of its worker a turn. Outside a runtime (no budget) and
/// inside `unconstrained`, it is always Ready.
///
/// Destroying it mid-way has no effect beyond the pending self-wake. Used by
/// one thread at a time, like any future.

#include "../core/coop.hpp"
#include "../core/future_ext.hpp"

namespace pollen {

class ConsumeBudget : public FutureExt<ConsumeBudget> {
public:
    using Output = void;

    Poll<void> poll(Context& cx) {
        // poll_proceed spends the unit, or wakes the task when none is left;
        // the next poll then runs under a fresh budget.
        if (!coop::poll_proceed(cx)) return pending;
        return ready();
    }
};

inline ConsumeBudget consume_budget() { return {}; }

}  // namespace pollen
