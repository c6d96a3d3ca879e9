#pragma once
/// unconstrained(f): a future that polls `f` with no cooperative budget
/// (Tokio's `task::unconstrained`): the leaves inside `f` never yield for want
/// of budget, and what `f` does costs the enclosing task none of its own (the
/// task's budget is set aside during each poll of `f` and restored after).
/// Its output is `f`'s. Meant for a future that must not be interrupted by
/// coop; used carelessly it lets one task starve the others on its worker.
///
/// Destroying it destroys `f`. Used by one thread at a time, like any future.

#include <utility>

#include "../core/coop.hpp"
#include "../core/future_ext.hpp"

namespace pollen {

template <Future F>
class Unconstrained : public FutureExt<Unconstrained<F>> {
public:
    using Output = output_t<F>;

    explicit Unconstrained(F fut) : fut_(std::move(fut)) {}

    Poll<Output> poll(Context& cx) {
        coop::BudgetScope no_budget(-1);
        return fut_.poll(cx);
    }

private:
    F fut_;
};

template <Future F>
Unconstrained<F> unconstrained(F fut) {
    return Unconstrained<F>(std::move(fut));
}

}  // namespace pollen
