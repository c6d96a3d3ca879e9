#pragma once
/// time::timeout(d, fut): runs `fut` with a time limit (Tokio's `timeout`).
/// Its output is `Result<T, Elapsed>`: Ok with the future's output, or
/// Err(Elapsed) once the deadline passed, at which point the inner future is
/// destroyed at once. The inner future is polled first, so one that is ready
/// immediately never registers a timer. Destroying a Timeout destroys both.
/// A limit too long for the clock (`Duration::max()`) means a far-future
/// deadline (about 30 years), as in Tokio, not an instant expiry.

#include <optional>
#include <string>
#include <type_traits>

#include "../core/coop.hpp"
#include "../core/future_ext.hpp"
#include "../core/result.hpp"
#include "sleep.hpp"

namespace pollen::time {

/// The error of a timeout that expired.
struct Elapsed {
    std::string what() const { return "deadline has elapsed"; }
    bool operator==(const Elapsed&) const = default;
};

template <Future F>
class Timeout : public FutureExt<Timeout<F>> {
public:
    using Output = Result<output_t<F>, Elapsed>;

    Timeout(F fut, Instant deadline) : fut_(std::in_place, std::move(fut)), sleep_(deadline) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        auto p = fut_->poll(cx);
        if (p.is_ready()) {
            if constexpr (std::is_void_v<output_t<F>>) return Ready<Output>{Output(Ok())};
            else return Ready<Output>{Output(Ok(p.take()))};
        }
        // The inner future may have spent the budget; the deadline must still
        // be observed (Tokio polls the delay unconstrained too).
        coop::BudgetScope unconstrained(-1);
        if (sleep_.poll(cx).is_pending()) return pending;
        fut_.reset();
        return Ready<Output>{Output(Err(Elapsed{}))};
    }

    /// For task dumps (core/trace.hpp): the time limit, then the inner future.
    void describe(TraceVisitor& v) const {
        v.waits_on("time limit expires " + sleep_.deadline_from_now());
        if (fut_) v.child(*fut_);
    }

    /// The inner future (while it is still there).
    F& get_ref() { return *fut_; }
    Instant deadline() const { return sleep_.deadline(); }

private:
    std::optional<F> fut_;
    Sleep sleep_;
    [[no_unique_address]] detail::PinCheck pin_;
};

template <Future F>
Timeout<F> timeout_at(Instant deadline, F fut) {
    return Timeout<F>(std::move(fut), deadline);
}
template <Future F>
Timeout<F> timeout(Duration d, F fut) {
    return Timeout<F>(std::move(fut), detail::deadline_after(d));
}

}  // namespace pollen::time
