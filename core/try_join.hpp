#pragma once
/// TryJoin: futures-rs's `try_join` / `try_join!`, `pollen::try_join(a, b, ...)`
/// for futures whose outputs are `Result<T_i, E>` with one error type E.
/// Each poll polls the unfinished children in argument order; a child that
/// completes with Ok is destroyed and its value kept. The first Err seen wins:
/// every other child (and every kept value) is destroyed at once, in argument
/// order, and TryJoin is ready with that Err. Otherwise, once all are done,
/// ready with Ok(tuple of the values) (a void value becomes `pollen::Unit`).
/// Destroying a TryJoin mid-way destroys its children, in argument order.
///
/// `try_join()` of no future is Ready at its first poll with Ok(empty tuple)
/// (Tokio's `try_join!()` is `Ok(())`). Its error type cannot be inferred as
/// Rust does: name it, `try_join<MyError>()`, or it is `pollen::Unit`. With
/// futures, an error type named that way must be theirs.

#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "detail/invoke.hpp"
#include "detail/maybe_done.hpp"
#include "future_ext.hpp"

namespace pollen {

namespace detail {

/// The error type of a try_join: the one named, else the first future's,
/// else (no future) Unit. An output that is no Result gives Unit here, so
/// that TryJoin's own static_assert is what reports it.
template <class R>
struct error_or_unit {
    using type = Unit;
};
template <class T, class Er>
struct error_or_unit<Result<T, Er>> {
    using type = Er;
};
template <class Named, class... Futs>
struct try_join_error {
    using type = Named;
};
template <class First, class... Rest>
struct try_join_error<void, First, Rest...> {
    using type = typename error_or_unit<output_t<First>>::type;
};
template <>
struct try_join_error<void> {
    using type = Unit;
};

}  // namespace detail

/// `E` is the error type every future shares (any type when there are none).
template <class E, class... Futs>
class TryJoin : public FutureExt<TryJoin<E, Futs...>> {
    static_assert((is_result_v<output_t<Futs>> && ...),
                  "pollen::try_join: every future must output a pollen::Result");
    static_assert((std::is_same_v<detail::result_error_t<output_t<Futs>>, E> && ...),
                  "pollen::try_join: every future must have the same error type");

public:
    using Value = std::tuple<unit_if_void_t<detail::result_value_t<output_t<Futs>>>...>;
    using Output = Result<Value, E>;

    explicit TryJoin(Futs... futs) : children_(detail::MaybeDone<Futs>(std::move(futs))...) {}
    TryJoin(TryJoin&&) = default;
    TryJoin& operator=(TryJoin&&) = delete;
    ~TryJoin() { reset_all(); }

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        bool all_done = true;
        std::optional<E> error;
        // `&&` stops at the first error, so later children are not polled again.
        std::apply([&](auto&... c) { (void)(poll_child(c, cx, all_done, error) && ...); }, children_);
        if (error) {
            reset_all();
            return Ready<Output>{Output(Err(std::move(*error)))};
        }
        if (!all_done) return pending;
        return Ready<Output>{std::apply(
            [](auto&... c) { return Output(Ok(Value(unwrap_value(c.take())...))); }, children_)};
    }

    /// For task dumps (core/trace.hpp): every unfinished child, in argument order.
    void describe(TraceVisitor& v) const {
        std::apply([&](const auto&... c) { (c.describe(v), ...); }, children_);
    }

private:
    template <class C>
    static bool poll_child(C& c, Context& cx, bool& all_done, std::optional<E>& error) {
        if (!c.poll(cx)) {
            all_done = false;
            return true;
        }
        auto& result = c.output();
        if (result.is_err()) {
            error.emplace(std::move(result).error());
            return false;
        }
        return true;
    }

    template <class T>
    static unit_if_void_t<T> unwrap_value(Result<T, E>&& r) {
        return std::move(r).value();
    }

    void reset_all() {
        std::apply([](auto&... c) { (c.reset(), ...); }, children_);
    }

    std::tuple<detail::MaybeDone<Futs>...> children_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Runs all fallible futures concurrently; Ok(tuple of values) or the first Err.
template <class E = void, Future... Futs>
auto try_join(Futs... futs) {
    return TryJoin<typename detail::try_join_error<E, Futs...>::type, Futs...>(std::move(futs)...);
}

}  // namespace pollen
