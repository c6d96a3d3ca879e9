#pragma once
/// Fuse: futures-rs's `fuse`. Polls the inner future until it is ready,
/// destroying it at that moment; from then on every poll returns Pending
/// (without touching the waker) and `is_terminated()` is true, so a Fuse may
/// safely be polled again after completing, e.g. in a hand-written select
/// loop. Destroying a Fuse mid-way destroys the inner future.

#include <optional>
#include <utility>

#include "future_ext.hpp"

namespace pollen {

template <class Fut>
class Fuse : public FutureExt<Fuse<Fut>> {
public:
    using Output = output_t<Fut>;

    explicit Fuse(Fut fut) : fut_(std::in_place, std::move(fut)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        if (!fut_) return pending;
        auto p = fut_->poll(cx);
        if (p.is_ready()) fut_.reset();
        return p;
    }

    /// True once the inner future completed (Rust's `FusedFuture::is_terminated`).
    bool is_terminated() const { return !fut_.has_value(); }

    /// For task dumps (core/trace.hpp): the inner future, while it runs.
    void describe(TraceVisitor& v) const {
        if (fut_) v.child(*fut_);
    }

private:
    std::optional<Fut> fut_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Free-function form of `fut.fuse()`.
template <Future Fut>
auto fuse(Fut fut) {
    return Fuse<Fut>(std::move(fut));
}

}  // namespace pollen
