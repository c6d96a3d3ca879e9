#pragma once
/// Map: futures-rs's `map`. Polls the inner future; when it is ready, calls
/// `fn` with its output (or with nothing for a void output) and is ready with
/// the result. The inner future is destroyed as soon as it completes, before
/// `fn` runs, and `fn` is destroyed right after it ran. Destroying a Map
/// mid-way destroys the inner future. Polling it again after Ready is a bug
/// (asserted).

#include <cassert>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "detail/invoke.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class Fut, class Fn>
class Map : public FutureExt<Map<Fut, Fn>> {
public:
    using Output = detail::invoke_output_t<Fn, output_t<Fut>>;

    Map(Fut fut, Fn fn) : fut_(std::in_place, std::move(fut)), fn_(std::in_place, std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(fut_ && "pollen: Map polled after it completed");
        auto p = fut_->poll(cx);
        if (p.is_pending()) return pending;
        return detail::ready_from<Output>([&]() -> Output {
            if constexpr (std::is_void_v<output_t<Fut>>) {
                fut_.reset();
                return call_once();
            } else {
                auto value = p.take();
                fut_.reset();
                return call_once(std::move(value));
            }
        });
    }

    /// For task dumps (core/trace.hpp): the inner future, while it runs.
    void describe(TraceVisitor& v) const {
        if (fut_) v.child(*fut_);
    }

private:
    template <class... A>
    Output call_once(A&&... a) {
        struct Reset {
            std::optional<Fn>& fn;
            ~Reset() { fn.reset(); }
        } reset{fn_};
        return std::invoke(*fn_, std::forward<A>(a)...);
    }

    std::optional<Fut> fut_;
    std::optional<Fn> fn_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `fut.map(fn)`.
template <Future Fut, class Fn>
auto map(Fut fut, Fn fn) {
    if constexpr (detail::check_map<Fut, Fn>()) return Map<Fut, Fn>(std::move(fut), std::move(fn));
}

}  // namespace pollen
