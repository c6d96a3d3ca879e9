#pragma once
/// The cooperative budget (Tokio's `coop`): how many times leaf futures may
/// make progress within one task poll. The runtime sets it to 128 before each
/// poll; pollen's leaf futures (JoinHandle, channels, sync, sockets, timers)
/// call `poll_proceed(cx)` first, and once the budget is spent they wake their
/// task and return Pending, so one task that is always ready cannot keep a
/// worker from the other tasks. Outside a runtime the budget is unlimited.

#include "context.hpp"

namespace pollen::coop {

inline constexpr int kTaskBudget = 128;

namespace detail {
inline thread_local int budget = -1;  // -1: unconstrained
}

/// True if the caller may make progress now (and spends one unit); false
/// after waking the task, which then yields to the others.
inline bool poll_proceed(Context& cx) {
    int& b = detail::budget;
    if (b < 0) return true;
    if (b == 0) {
        cx.waker().wake_by_ref();
        return false;
    }
    --b;
    return true;
}

/// Gives back one unit: a leaf that spent one but made no progress.
inline void refund() {
    if (detail::budget >= 0) ++detail::budget;
}

inline bool has_budget_remaining() { return detail::budget != 0; }

/// Runs with a fresh budget for its lifetime (the runtime wraps each task poll).
class BudgetScope {
public:
    explicit BudgetScope(int budget = kTaskBudget) : saved_(detail::budget) { detail::budget = budget; }
    ~BudgetScope() { detail::budget = saved_; }
    BudgetScope(const BudgetScope&) = delete;
    BudgetScope& operator=(const BudgetScope&) = delete;

private:
    int saved_;
};

}  // namespace pollen::coop
