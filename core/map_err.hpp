#pragma once
/// MapErr: futures-rs's `TryFutureExt::map_err`, for a future whose output is
/// a Result<T, E>. When it is ready, Err(e) becomes Err(fn(e)) and an Ok
/// passes through; `fn` runs only on Err. The inner future is destroyed
/// before `fn` runs. Destroying a MapErr mid-way destroys the inner future.

#include <cassert>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "detail/invoke.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class Fut, class Fn>
class MapErr : public FutureExt<MapErr<Fut, Fn>> {
    using In = output_t<Fut>;
    static_assert(is_result_v<In>, "pollen::map_err: the future's output must be a pollen::Result");
    using E2 = std::invoke_result_t<Fn&, detail::result_error_t<In>&&>;

public:
    using Output = Result<detail::result_value_t<In>, E2>;

    MapErr(Fut fut, Fn fn) : fut_(std::in_place, std::move(fut)), fn_(std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(fut_ && "pollen: MapErr polled after it completed");
        auto p = fut_->poll(cx);
        if (p.is_pending()) return pending;
        In result = p.take();
        fut_.reset();
        if (result.is_ok()) return ready(detail::rewrap_ok<Output>(std::move(result)));
        return ready(Output(Err(std::invoke(fn_, std::move(result).error()))));
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

/// Free-function form of `fut.map_err(fn)`.
template <Future Fut, class Fn>
auto map_err(Fut fut, Fn fn) {
    return MapErr<Fut, Fn>(std::move(fut), std::move(fn));
}

}  // namespace pollen
