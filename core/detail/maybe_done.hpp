#pragma once
/// MaybeDone<F>: a child of a join-like combinator. It holds the future until
/// it completes, then (having destroyed the future at once) its output until
/// the parent takes it, then nothing. futures-rs's `MaybeDone`.

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "../future.hpp"
#include "../trace.hpp"

namespace pollen::detail {

template <class F>
class MaybeDone {
public:
    using Value = unit_if_void_t<output_t<F>>;

    explicit MaybeDone(F fut) : state_(std::in_place_index<kFuture>, std::move(fut)) {}

    /// Polls the future if it is still running; true once its output is held.
    bool poll(Context& cx) {
        if (state_.index() == kFuture) {
            auto p = std::get<kFuture>(state_).poll(cx);
            if (p.is_pending()) return false;
            // Emplacing destroys the finished future before the output lands.
            if constexpr (std::is_void_v<output_t<F>>) {
                state_.template emplace<kDone>();
            } else {
                Value value = p.take();
                state_.template emplace<kDone>(std::move(value));
            }
        }
        return state_.index() == kDone;
    }

    bool is_running() const { return state_.index() == kFuture; }

    /// For task dumps (core/trace.hpp): the future, while it runs.
    void describe(TraceVisitor& v) const {
        if (state_.index() == kFuture) v.child(std::get<kFuture>(state_));
    }

    /// The held output, left in place; only once the future completed.
    Value& output() {
        assert(state_.index() == kDone && "pollen: MaybeDone::output without an output");
        return std::get<kDone>(state_);
    }

    /// Moves the held output out; only once the future completed.
    Value take() {
        assert(state_.index() == kDone && "pollen: MaybeDone::take without an output");
        Value value = std::move(std::get<kDone>(state_));
        state_.template emplace<kGone>();
        return value;
    }

    /// Destroys whatever it holds (the future, or an unclaimed output).
    void reset() { state_.template emplace<kGone>(); }

private:
    static constexpr std::size_t kFuture = 0;
    static constexpr std::size_t kDone = 1;
    static constexpr std::size_t kGone = 2;
    // Index-based: F, Value and monostate may coincide (a void output is Unit).
    std::variant<F, Value, std::monostate> state_;
};

}  // namespace pollen::detail
