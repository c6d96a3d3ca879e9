#pragma once
/// Race: `pollen::race(a, b, ...)`, for futures with the same output type
/// (tokio's `select!` over branches of one type, without handing losers back).
/// Futures of different outputs are refused where `race` is called: map them
/// to one type first, or use `pollen::select` (two futures, any outputs, ready
/// with an Either saying which won).
/// Each poll polls the futures in argument order; the first found ready wins:
/// it is destroyed, then every loser is destroyed in argument order, all
/// before Race returns Ready with the winner's output. Destroying a Race
/// mid-way destroys the futures in argument order. Polling it again after
/// Ready is a bug (asserted).

#include <cassert>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "future_ext.hpp"

namespace pollen {

template <class First, class... Rest>
class Race : public FutureExt<Race<First, Rest...>> {
public:
    using Output = output_t<First>;

    explicit Race(First first, Rest... rest)
        : futs_(std::optional<First>(std::move(first)), std::optional<Rest>(std::move(rest))...) {}
    Race(Race&&) = default;
    Race& operator=(Race&&) = delete;
    ~Race() { reset_all(); }

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(std::get<0>(futs_) && "pollen: Race polled after it completed");
        std::optional<Poll<Output>> won;
        // `||` stops at the winner: futures after it are not polled.
        std::apply([&](auto&... f) { (poll_one(f, cx, won) || ...); }, futs_);
        if (!won) return pending;
        reset_all();
        return std::move(*won);
    }

    /// For task dumps (core/trace.hpp): every future still racing.
    void describe(TraceVisitor& v) const {
        std::apply([&](const auto&... f) { ((f ? v.child(*f) : void()), ...); }, futs_);
    }

private:
    template <class F>
    static bool poll_one(std::optional<F>& f, Context& cx, std::optional<Poll<Output>>& won) {
        auto p = f->poll(cx);
        if (p.is_pending()) return false;
        won.emplace(std::move(p));
        f.reset();
        return true;
    }

    void reset_all() {
        std::apply([](auto&... f) { (f.reset(), ...); }, futs_);
    }

    std::tuple<std::optional<First>, std::optional<Rest>...> futs_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Waits for the first ready future; the others are destroyed at once.
template <Future First, Future... Rest>
auto race(First first, Rest... rest) {
    static_assert((std::is_same_v<output_t<First>, output_t<Rest>> && ...),
                  "pollen::race: every future must have the same output type (race is ready with the "
                  "winner's output): map them to one type first, e.g. .map into a std::variant, or use "
                  "pollen::select for two futures of different outputs (ready with an Either)");
    if constexpr ((std::is_same_v<output_t<First>, output_t<Rest>> && ...))
        return Race<First, Rest...>(std::move(first), std::move(rest)...);
}

}  // namespace pollen
