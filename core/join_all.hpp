#pragma once
/// JoinAll: futures-rs's `join_all`, `pollen::join_all(std::vector<F>)`. Each
/// poll polls every unfinished future in index order (O(n) per poll; fine for
/// the tens to thousands it is meant for); a future that completes is
/// destroyed at once and its output kept. Ready, once all are done, with a
/// `std::vector` of the outputs in input order (void outputs become
/// `pollen::Unit`); an empty input is ready at the first poll. Destroying a
/// JoinAll mid-way destroys the unfinished futures and kept outputs in index
/// order.

#include <cstddef>
#include <utility>
#include <vector>

#include "detail/maybe_done.hpp"
#include "future_ext.hpp"

namespace pollen {

template <class Fut>
class JoinAll : public FutureExt<JoinAll<Fut>> {
public:
    using Output = std::vector<unit_if_void_t<output_t<Fut>>>;

    explicit JoinAll(std::vector<Fut> futs) {
        children_.reserve(futs.size());
        for (auto& f : futs) children_.emplace_back(std::move(f));
    }
    JoinAll(JoinAll&&) = default;
    JoinAll& operator=(JoinAll&&) = delete;
    ~JoinAll() { reset_all(); }

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        bool all_done = true;
        for (auto& c : children_) all_done = c.poll(cx) && all_done;
        if (!all_done) return pending;
        Output out;
        out.reserve(children_.size());
        for (auto& c : children_) out.push_back(c.take());
        children_.clear();
        return Ready<Output>{std::move(out)};
    }

    /// For task dumps (core/trace.hpp): every unfinished child, in order.
    void describe(TraceVisitor& v) const {
        for (const auto& c : children_) c.describe(v);
    }

private:
    // std::vector leaves its destruction order unspecified; ours is index order.
    void reset_all() {
        for (auto& c : children_) c.reset();
    }

    // Never resized after construction, so the children never move.
    std::vector<detail::MaybeDone<Fut>> children_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Runs every future of `futs` concurrently; ready with their outputs in order.
template <Future Fut>
auto join_all(std::vector<Fut> futs) {
    return JoinAll<Fut>(std::move(futs));
}

}  // namespace pollen
