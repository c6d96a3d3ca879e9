#pragma once
/// SelectAll: futures-rs's `select_all`, `pollen::select_all(std::vector<F>)`.
/// Each poll polls the futures in index order; the first found ready is
/// destroyed and SelectAll is ready with `std::tuple(output, index, rest)`,
/// where `rest` is the vector of the other futures in their original order
/// (a void output becomes `pollen::Unit`). As with `select`, the futures in
/// `rest` may have been polled and are moved: F must allow that (Rust's
/// `Unpin`; e.g. `BoxFuture`). The input must not be empty (asserted).
/// Destroying a SelectAll mid-way destroys the futures in index order.

#include <cassert>
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "future_ext.hpp"

namespace pollen {

template <class Fut>
class SelectAll : public FutureExt<SelectAll<Fut>> {
public:
    using Output = std::tuple<unit_if_void_t<output_t<Fut>>, std::size_t, std::vector<Fut>>;

    explicit SelectAll(std::vector<Fut> futs) {
        assert(!futs.empty() && "pollen: select_all of no futures would never complete");
        futs_.reserve(futs.size());
        for (auto& f : futs) futs_.emplace_back(std::in_place, std::move(f));
    }
    SelectAll(SelectAll&&) = default;
    SelectAll& operator=(SelectAll&&) = delete;
    ~SelectAll() {
        // std::vector leaves its destruction order unspecified; ours is index order.
        for (auto& f : futs_) f.reset();
    }

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        for (std::size_t i = 0; i < futs_.size(); ++i) {
            assert(futs_[i] && "pollen: SelectAll polled after it completed");
            auto p = futs_[i]->poll(cx);
            if (p.is_pending()) continue;
            unit_if_void_t<output_t<Fut>> value = take_value(p);
            futs_[i].reset();
            std::vector<Fut> rest;
            rest.reserve(futs_.size() - 1);
            for (auto& f : futs_) {
                if (f) rest.push_back(std::move(*f));
                f.reset();
            }
            futs_.clear();
            return Ready<Output>{Output(std::move(value), i, std::move(rest))};
        }
        return pending;
    }

    /// For task dumps (core/trace.hpp): every future still in the running.
    void describe(TraceVisitor& v) const {
        for (const auto& f : futs_)
            if (f) v.child(*f);
    }

private:
    template <class T>
    static unit_if_void_t<T> take_value(Poll<T>& p) {
        if constexpr (std::is_void_v<T>) return Unit{};
        else return p.take();
    }

    // Never resized while running, so the futures stay put until handed back.
    std::vector<std::optional<Fut>> futs_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Waits for the first ready future of `futs`: (output, its index, the rest).
template <Future Fut>
auto select_all(std::vector<Fut> futs) {
    return SelectAll<Fut>(std::move(futs));
}

/// Futures passed one by one are refused with pollen's message: like
/// futures-rs's (an iterator of one future type), select_all takes a vector.
template <class... Futs>
    requires(sizeof...(Futs) > 0 && (Future<Futs> && ...))
auto select_all(Futs...) {
    static_assert(sizeof...(Futs) == 0,
                  "pollen::select_all takes one std::vector of futures of a single type (box them with "
                  ".boxed() when only their outputs agree); for a fixed set of futures use pollen::race "
                  "(same output) or pollen::select (two futures, any outputs: ready with an Either)");
}

}  // namespace pollen
