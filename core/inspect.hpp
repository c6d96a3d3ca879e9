#pragma once
/// Inspect: futures-rs's `inspect`. Polls the inner future; when it is ready,
/// calls `fn(const Output&)` (or `fn()` for void) and is ready with the same
/// output, untouched. The inner future is destroyed before `fn` runs.
/// Destroying an Inspect mid-way destroys the inner future; `fn` never runs.

#include <cassert>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "future_ext.hpp"

namespace pollen {

template <class Fut, class Fn>
class Inspect : public FutureExt<Inspect<Fut, Fn>> {
public:
    using Output = output_t<Fut>;

    Inspect(Fut fut, Fn fn) : fut_(std::in_place, std::move(fut)), fn_(std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(fut_ && "pollen: Inspect polled after it completed");
        auto p = fut_->poll(cx);
        if (p.is_pending()) return pending;
        fut_.reset();
        if constexpr (std::is_void_v<Output>) std::invoke(fn_);
        else std::invoke(fn_, std::as_const(p.value()));
        return p;
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

/// Free-function form of `fut.inspect(fn)`.
template <Future Fut, class Fn>
auto inspect(Fut fut, Fn fn) {
    return Inspect<Fut, Fn>(std::move(fut), std::move(fn));
}

}  // namespace pollen
