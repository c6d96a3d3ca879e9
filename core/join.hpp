#pragma once
/// Join: futures-rs's `join` / `join!`, `pollen::join(a, b, ...)`. Each poll
/// polls every unfinished child in argument order; a child that completes is
/// destroyed at once and its output kept. Ready, once all are done, with a
/// `std::tuple` of the outputs in argument order (a void output becomes
/// `pollen::Unit`). Destroying a Join mid-way destroys the unfinished
/// children and the kept outputs, in argument order. `join()` of no future
/// is Ready at its first poll with an empty tuple (Tokio's `join!()` is `()`).

#include <cstddef>
#include <tuple>
#include <utility>

#include "detail/maybe_done.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class... Futs>
class Join : public FutureExt<Join<Futs...>> {
public:
    using Output = std::tuple<unit_if_void_t<output_t<Futs>>...>;

    explicit Join(Futs... futs) : children_(detail::MaybeDone<Futs>(std::move(futs))...) {}
    Join(Join&&) = default;
    Join& operator=(Join&&) = delete;
    ~Join() { reset_all(); }

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        bool all_done = true;
        // A comma fold runs left to right: children are polled in argument order.
        std::apply([&](auto&... c) { ((all_done = c.poll(cx) && all_done), ...); }, children_);
        if (!all_done) return pending;
        return Ready<Output>{std::apply([](auto&... c) { return Output(c.take()...); }, children_)};
    }

    /// For task dumps (core/trace.hpp): every unfinished child, in argument order.
    void describe(TraceVisitor& v) const {
        std::apply([&](const auto&... c) { (c.describe(v), ...); }, children_);
    }

private:
    void reset_all() {
        std::apply([](auto&... c) { (c.reset(), ...); }, children_);
    }

    std::tuple<detail::MaybeDone<Futs>...> children_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Runs all futures concurrently; ready with the tuple of their outputs.
template <Future... Futs>
auto join(Futs... futs) {
    return Join<Futs...>(std::move(futs)...);
}

}  // namespace pollen
