#pragma once
/// AndThen: futures-rs's `TryFutureExt::and_then`, for a future whose output
/// is a Result<T, E>. On Ok(v) it destroys the first future, calls `fn(v)`
/// (`fn()` when T is void) to get a second future whose output is a
/// Result<U, E> with the same E, and polls it in the same poll; ready with
/// that Result. On Err(e) it is ready with Err(e) at once and `fn` never runs.
/// Destroying an AndThen mid-way destroys whichever future it is running.

#include <cassert>
#include <utility>

#include "detail/flatten.hpp"
#include "detail/invoke.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class Fut, class Fn>
class AndThen : public FutureExt<AndThen<Fut, Fn>> {
    // Fut's output and Fn's shape are checked where the call enters pollen
    // (detail::check_and_then).
    using In = output_t<Fut>;
    struct Step {
        using Next = detail::invoke_output_t<Fn, detail::result_value_t<In>>;
        static bool goes_on(const In& result) { return result.is_ok(); }
        static Next next(Fn& fn, In&& result) { return detail::invoke_with_ok(fn, std::move(result)); }
        static output_t<Next> finish(In&& result) {
            return detail::rewrap_err<output_t<Next>>(std::move(result));
        }
    };

public:
    using Output = output_t<typename Step::Next>;

    AndThen(Fut fut, Fn fn) : flatten_(std::move(fut), std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        assert(!flatten_.is_terminated() && "pollen: AndThen polled after it completed");
        return flatten_.poll(cx);
    }

    /// For task dumps (core/trace.hpp): the first or the second future.
    void describe(TraceVisitor& v) const { flatten_.describe(v); }

private:
    detail::Flatten<Fut, Fn, Step> flatten_;
};

/// Free-function form of `fut.and_then(fn)`.
template <Future Fut, class Fn>
auto and_then(Fut fut, Fn fn) {
    if constexpr (detail::check_and_then<Fut, Fn>()) return AndThen<Fut, Fn>(std::move(fut), std::move(fn));
}

}  // namespace pollen
