#pragma once
/// Then: futures-rs's `then`. Polls the first future; when it is ready,
/// destroys it, calls `fn` with its output (nothing for void) to get a second
/// future, and polls that one in the same poll. Ready with the second
/// future's output, destroying the second future first. Destroying a Then
/// mid-way destroys whichever future it is running.

#include <cassert>
#include <functional>
#include <utility>

#include "detail/flatten.hpp"
#include "detail/invoke.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class Fut, class Fn>
class Then : public FutureExt<Then<Fut, Fn>> {
    // Fn's shape is checked where the call enters pollen (detail::check_then).
    struct Step {
        using Next = detail::invoke_output_t<Fn, output_t<Fut>>;
        template <class... In>
        static Next next(Fn& fn, In&&... value) {
            return std::invoke(fn, std::forward<In>(value)...);
        }
    };

public:
    using Output = output_t<typename Step::Next>;

    Then(Fut fut, Fn fn) : flatten_(std::move(fut), std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        assert(!flatten_.is_terminated() && "pollen: Then polled after it completed");
        return flatten_.poll(cx);
    }

    /// For task dumps (core/trace.hpp): the first or the second future.
    void describe(TraceVisitor& v) const { flatten_.describe(v); }

private:
    detail::Flatten<Fut, Fn, Step> flatten_;
};

/// Free-function form of `fut.then(fn)`.
template <Future Fut, class Fn>
auto then(Fut fut, Fn fn) {
    if constexpr (detail::check_then<Fut, Fn>()) return Then<Fut, Fn>(std::move(fut), std::move(fn));
}

}  // namespace pollen
