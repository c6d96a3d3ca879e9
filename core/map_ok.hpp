#pragma once
/// MapOk: futures-rs's `TryFutureExt::map_ok`, for a future whose output is a
/// Result<T, E>. When it is ready, Ok(v) becomes Ok(fn(v)) (`fn()` when T is
/// void; a void fn gives Result<void, E>) and an Err passes through; `fn`
/// runs only on Ok. The inner future is destroyed before `fn` runs.
/// Destroying a MapOk mid-way destroys the inner future.

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>

#include "detail/invoke.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class Fut, class Fn>
class MapOk : public FutureExt<MapOk<Fut, Fn>> {
    using In = output_t<Fut>;
    static_assert(is_result_v<In>, "pollen::map_ok: the future's output must be a pollen::Result");
    using U = detail::invoke_output_t<Fn, detail::result_value_t<In>>;

public:
    using Output = Result<U, detail::result_error_t<In>>;

    MapOk(Fut fut, Fn fn) : fut_(std::in_place, std::move(fut)), fn_(std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(fut_ && "pollen: MapOk polled after it completed");
        auto p = fut_->poll(cx);
        if (p.is_pending()) return pending;
        In result = p.take();
        fut_.reset();
        if (result.is_err()) return ready(detail::rewrap_err<Output>(std::move(result)));
        if constexpr (std::is_void_v<U>) {
            detail::invoke_with_ok(fn_, std::move(result));
            return ready(Output(Ok()));
        } else {
            return ready(Output(Ok(detail::invoke_with_ok(fn_, std::move(result)))));
        }
    }

    /// For task dumps (core/trace.hpp): the inner future, while it runs.
    void describe(TraceVisitor& v) const {
        if (fut_) v.child(*fut_);
    }

private:
    std::optional<Fut> fut_;
    Fn fn_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `fut.map_ok(fn)`.
template <Future Fut, class Fn>
auto map_ok(Fut fut, Fn fn) {
    return MapOk<Fut, Fn>(std::move(fut), std::move(fn));
}

}  // namespace pollen
