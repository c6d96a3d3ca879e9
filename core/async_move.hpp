#pragma once
/// AsyncMove: `pollen::async_move(state..., fn)`, Rust's `async move { ... }`
/// around a future that borrows: it owns the state, then runs on it the
/// future that `fn(state&...)` makes.
///
///     // tokio::spawn(async move { let (mut r, mut w) = socket.split();
///     //                           io::copy(&mut r, &mut w).await })
///     pollen::spawn(pollen::async_move(std::move(socket), [](net::TcpStream& s) {
///         return io::copy(s, s);  // one stream may be both reader and writer
///     }));
///
/// The state values are moved (or copied) in when it is made. Its first poll
/// calls `fn(state&...)` once, which returns a future that may keep
/// references to the state (io::copy, read, write_all, accept, send_to...);
/// that future is stored inside AsyncMove (moved there once, unpolled) and
/// polled there, and AsyncMove's output is its output. On Ready the inner future is destroyed, then the state (as an
/// async block's locals die when it returns), before the output is handed
/// on; so the output must not refer to the state.
///
/// Destroying it mid-way destroys the inner future first, then `fn`, then
/// the state, so nothing that borrows outlives what it borrows. Like any
/// future it may be moved only before its first poll (the inner future
/// points into it; debug builds check). Polling it again after Ready is a
/// bug (asserted). Thread safety: as its state's and inner future's (a
/// spawned one needs them to be movable between threads, as with any task).

#include <cassert>
#include <cstddef>
#include <functional>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "future_ext.hpp"

namespace pollen {

namespace detail {

/// What `fn(state&...)` returns, or void when it cannot be called so; spelled
/// so that a wrong `fn` gives AsyncMove's static_assert, not a page of errors.
template <class Fn, class... State>
struct AsyncMoveBody {
    static constexpr bool callable = std::is_invocable_v<Fn&, State&...>;
    using type = typename std::conditional_t<callable, std::invoke_result<Fn&, State&...>,
                                             std::type_identity<void>>::type;
};

/// Stands in for a `fn` result that is not a future, so that the only error
/// is the static_assert.
struct NotAFuture {
    using Output = void;
    Poll<void> poll(Context&) { return pending; }
};

}  // namespace detail

template <class Fn, class... State>
class AsyncMove : public FutureExt<AsyncMove<Fn, State...>> {
    using BodyOf = detail::AsyncMoveBody<Fn, State...>;
    static constexpr bool valid = Future<typename BodyOf::type>;
    using Body = std::conditional_t<valid, typename BodyOf::type, detail::NotAFuture>;
    static_assert(BodyOf::callable,
                  "pollen::async_move(state..., fn): fn must be callable as fn(State&...), one "
                  "lvalue reference per state value, in order");
    static_assert(!BodyOf::callable || valid,
                  "pollen::async_move(state..., fn): fn(State&...) must return a future (a type "
                  "with Output and poll), by value; wrap a plain value in pollen::future::ready(v)");

public:
    using Output = output_t<Body>;

    AsyncMove(std::tuple<State...> state, Fn fn)
        : state_(std::in_place, std::move(state)), fn_(std::move(fn)) {}

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        if (!body_) {
            assert(state_ && "pollen: AsyncMove polled after it completed");
            if constexpr (valid) body_.emplace(std::apply(fn_, *state_));
        }
        Poll<Output> p = body_->poll(cx);
        if (p.is_ready()) {
            body_.reset();  // the borrower dies before what it borrows
            state_.reset();
        }
        return p;
    }

    /// For task dumps (core/trace.hpp): the body, once started.
    void describe(TraceVisitor& v) const {
        if (body_) v.child(*body_);
    }

private:
    // Declared in this order so that destruction runs body_, fn_, state_.
    std::optional<std::tuple<State...>> state_;
    Fn fn_;
    std::optional<Body> body_;
    [[no_unique_address]] detail::PinCheck pin_;
};

namespace detail {

template <class Tuple, std::size_t... I>
auto make_async_move(Tuple&& args, std::index_sequence<I...>) {
    constexpr std::size_t last = sizeof...(I);
    using Fn = std::tuple_element_t<last, std::remove_reference_t<Tuple>>;
    using Self = AsyncMove<Fn, std::tuple_element_t<I, std::remove_reference_t<Tuple>>...>;
    return Self(std::tuple<std::tuple_element_t<I, std::remove_reference_t<Tuple>>...>(
                    std::get<I>(std::move(args))...),
                std::get<last>(std::move(args)));
}

}  // namespace detail

/// An owning future: keeps `state...` (decay-copied: pass std::move(x) to
/// move), and at its first poll runs the future `fn(state&...)` on it. The
/// last argument is `fn`; there may be any number of state values before it.
template <class... Args>
    requires(sizeof...(Args) >= 1)
auto async_move(Args&&... args) {
    return detail::make_async_move(std::tuple<std::decay_t<Args>...>(std::forward<Args>(args)...),
                                   std::make_index_sequence<sizeof...(Args) - 1>());
}

}  // namespace pollen
