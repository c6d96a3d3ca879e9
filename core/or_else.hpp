#pragma once
/// OrElse: futures-rs's `TryFutureExt::or_else`, for a future whose output is
/// a Result<T, E>. On Err(e) it destroys the first future, calls `fn(e)` to
/// get a second future whose output is a Result<T, E2> with the same T, and
/// polls it in the same poll; ready with that Result. On Ok(v) it is ready
/// with Ok(v) at once and `fn` never runs. Destroying an OrElse mid-way
/// destroys whichever future it is running.

#include <cassert>
#include <functional>
#include <type_traits>
#include <utility>

#include "detail/flatten.hpp"
#include "detail/invoke.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class Fut, class Fn>
class OrElse : public FutureExt<OrElse<Fut, Fn>> {
    // Fut's output and Fn's shape are checked where the call enters pollen
    // (detail::check_or_else).
    using In = output_t<Fut>;
    struct Step {
        using Next = std::invoke_result_t<Fn&, detail::result_error_t<In>&&>;
        static bool goes_on(const In& result) { return result.is_err(); }
        static Next next(Fn& fn, In&& result) { return std::invoke(fn, std::move(result).error()); }
        static output_t<Next> finish(In&& result) {
            return detail::rewrap_ok<output_t<Next>>(std::move(result));
        }
    };

public:
    using Output = output_t<typename Step::Next>;

    OrElse(Fut fut, Fn fn) : flatten_(std::move(fut), std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        assert(!flatten_.is_terminated() && "pollen: OrElse polled after it completed");
        return flatten_.poll(cx);
    }

    /// For task dumps (core/trace.hpp): the first or the second future.
    void describe(TraceVisitor& v) const { flatten_.describe(v); }

private:
    detail::Flatten<Fut, Fn, Step> flatten_;
};

/// Free-function form of `fut.or_else(fn)`.
template <Future Fut, class Fn>
auto or_else(Fut fut, Fn fn) {
    if constexpr (detail::check_or_else<Fut, Fn>()) return OrElse<Fut, Fn>(std::move(fut), std::move(fn));
}

}  // namespace pollen
