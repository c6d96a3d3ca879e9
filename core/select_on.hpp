#pragma once
/// SelectOn: Tokio's `select!`, `pollen::select_on(branches..., otherwise)`.
/// Waits on several branches at once; the first branch to complete (and
/// match) runs its handler, whose result is SelectOn's output.
///
///     // tokio::select! {
///     //     biased;                                    // optional
///     //     Some(v) = rx.recv() => v,
///     //     _ = sleep(d), if !done => -1,
///     //     else => 0,
///     // }
///     auto f = pollen::select_on(
///         pollen::biased,                                                  // optional
///         pollen::branch(rx.recv(), [](std::optional<int> v) { return *v; })
///             .matching([](const std::optional<int>& v) { return v.has_value(); }),
///         pollen::branch(time::sleep(d), [] { return -1; }).when(!done),
///         pollen::otherwise([] { return 0; }));                           // optional, last
///
/// - `branch(fut, handler)`: `handler(output)` (or `handler()`, ignoring the
///   output, Tokio's `_ = fut`) gives the result; `branch(fut)` passes the
///   output on. Every handler, and `otherwise`, must give one same type.
/// - `.when(cond)`: Tokio's `, if cond`. With `cond` false the branch is
///   disabled: its future is never polled (pollen destroys it at once).
///   `cond` is evaluated where the branch is written, as Tokio evaluates
///   preconditions when select! starts.
/// - `.matching(pred)`: Tokio's pattern. When the future completes and
///   `pred(const output&)` is false, the output and the future are
///   destroyed, the branch is disabled, and the select goes on with the
///   others (within the same poll).
/// - `otherwise(fn)`: Tokio's `else`, the result of `fn()` once every branch
///   is disabled. Without it, every branch disabled throws
///   std::logic_error("... all branches are disabled and there is no else
///   branch") from poll, where Tokio panics with that message (as pollen's
///   other misuse of a Tokio panic: inside a task the JoinHandle then
///   reports `is_panic()`).
/// - Fairness: each poll starts at a random branch and goes round in
///   order, as Tokio does, so a branch that is always ready cannot starve
///   the others. `pollen::biased` as the first argument polls in the order
///   written (Tokio's `biased;`).
///
/// When a branch wins, its output is moved out, its future destroyed,
/// `pred` asked, then every other branch's future is destroyed in argument
/// order, and only then does the handler run (Tokio also drops every
/// branch's future before the handler body; it drops them together). The
/// handlers (closures) live as long as the SelectOn. Destroying a SelectOn
/// mid-way destroys every branch's future in argument order. Polling it
/// again after Ready is a bug (asserted). One thread at a time, like any
/// future. For async work after the choice, return a value saying what to
/// do, or have every handler return a BoxFuture<T> and `.then` the
/// SelectOn with the identity.
///
/// Why the name: `pollen::select` is already futures-rs's `future::select`
/// (two futures, Either), as Rust names both the function and the macro
/// `select`; C++ has no `!` to tell them apart, so the macro's port is
/// "select on these branches".

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

#include "detail/invoke.hpp"
#include "detail/thread_rng.hpp"
#include "future_ext.hpp"

namespace pollen {

/// The tag for `select_on(pollen::biased, ...)`: poll branches in the order written.
struct Biased {
    explicit constexpr Biased() = default;
};
inline constexpr Biased biased{};

namespace detail {

/// The pattern of a branch written without `.matching`: everything matches.
struct MatchAll {
    template <class... T>
    constexpr bool operator()(const T&...) const {
        return true;
    }
};

/// The handler of a branch written without one: the output passes through.
struct PassOutput {};

/// What a branch's handler gives for the future's output T.
template <class H, class T>
struct handler_output {
    static_assert(std::is_invocable_v<H&, T&&> || std::is_invocable_v<H&>,
                  "pollen::branch: the handler must accept the future's output (by value or const&), "
                  "or take no parameter to ignore it");
    using type = typename std::conditional_t<std::is_invocable_v<H&, T&&>, std::invoke_result<H&, T&&>,
                                             std::invoke_result<H&>>::type;
};
template <class H>
struct handler_output<H, void> {
    static_assert(std::is_invocable_v<H&>,
                  "pollen::branch: the future's output is void: the handler takes no parameter");
    using type = std::invoke_result_t<H&>;
};
template <class T>
struct handler_output<PassOutput, T> {
    using type = T;
};
template <>
struct handler_output<PassOutput, void> {
    using type = void;
};

}  // namespace detail

template <bool IsBiased, class Else, class... Branches>
class SelectOn;

/// One branch of a select_on: a future, its handler, precondition and pattern.
template <class F, class H = detail::PassOutput, class P = detail::MatchAll>
class Branch {
    static_assert(is_future_v<F>, "pollen::branch: the first argument must be a pollen Future");

public:
    using Value = output_t<F>;
    using Output = typename detail::handler_output<H, Value>::type;

    Branch(F fut, H handler, P pattern = {}) : fut_(std::in_place, std::move(fut)), handler_(std::move(handler)),
                                               pattern_(std::move(pattern)) {}

    /// Tokio's `, if cond`: false disables the branch (its future is destroyed now, never polled).
    Branch when(bool cond) && {
        if (!cond) fut_.reset();
        return std::move(*this);
    }

    /// Tokio's pattern: a completed output for which `pred(const output&)`
    /// is false disables the branch instead of winning.
    template <class Pred>
    Branch<F, H, Pred> matching(Pred pred) && {
        static_assert(std::is_same_v<P, detail::MatchAll>, "pollen::branch: one .matching per branch");
        if constexpr (std::is_void_v<Value>)
            static_assert(std::is_invocable_r_v<bool, Pred&>,
                          "pollen::branch: the output is void: the pattern takes no parameter");
        else
            static_assert(std::is_invocable_r_v<bool, Pred&, const Value&>,
                          "pollen::branch: the pattern must answer a bool for `const output&`");
        return Branch<F, H, Pred>(std::move(fut_), std::move(handler_), std::move(pred));
    }

    /// False once disabled by `when(false)` (or, inside a SelectOn, once done).
    bool is_enabled() const { return fut_.has_value(); }

private:
    template <bool, class, class...>
    friend class SelectOn;
    template <class, class, class>
    friend class Branch;

    Branch(std::optional<F>&& fut, H&& handler, P&& pattern)
        : fut_(std::move(fut)), handler_(std::move(handler)), pattern_(std::move(pattern)) {}

    bool matches(const unit_if_void_t<Value>& v) {
        if constexpr (std::is_void_v<Value>) return std::invoke(pattern_);
        else return std::invoke(pattern_, v);
    }

    Output call([[maybe_unused]] unit_if_void_t<Value>&& v) {
        if constexpr (std::is_same_v<H, detail::PassOutput>) {
            if constexpr (std::is_void_v<Value>) return;
            else return std::move(v);
        } else if constexpr (std::is_void_v<Value>) {
            return std::invoke(handler_);
        } else if constexpr (std::is_invocable_v<H&, Value&&>) {
            return std::invoke(handler_, std::move(v));
        } else {
            return std::invoke(handler_);  // the output is ignored (Tokio's `_ = fut`)
        }
    }

    std::optional<F> fut_;
    H handler_;
    P pattern_;
};

/// A branch whose handler gives the select's result from the future's output.
template <Future F, class H>
Branch<F, H> branch(F fut, H handler) {
    return Branch<F, H>(std::move(fut), std::move(handler));
}
/// A branch whose output is the select's result.
template <Future F>
Branch<F> branch(F fut) {
    return Branch<F>(std::move(fut), detail::PassOutput{});
}

/// Tokio's `else`: the select's result when every branch is disabled.
template <class Fn>
struct Otherwise {
    Fn fn;
};
template <class Fn>
Otherwise<Fn> otherwise(Fn fn) {
    static_assert(std::is_invocable_v<Fn&>, "pollen::otherwise: the closure takes no parameter");
    return Otherwise<Fn>{std::move(fn)};
}

namespace detail {

template <class T>
inline constexpr bool is_branch_v = false;
template <class F, class H, class P>
inline constexpr bool is_branch_v<Branch<F, H, P>> = true;
template <class T>
inline constexpr bool is_otherwise_v = false;
template <class Fn>
inline constexpr bool is_otherwise_v<Otherwise<Fn>> = true;

/// A select_on without an else: every branch disabled throws.
struct NoElse {};

template <class Else>
struct else_output {
    using type = std::invoke_result_t<decltype(Else::fn)&>;
};

}  // namespace detail

template <bool IsBiased, class Else, class... Branches>
class SelectOn : public FutureExt<SelectOn<IsBiased, Else, Branches...>> {
    static_assert(sizeof...(Branches) > 0, "pollen::select_on requires at least one branch");
    static_assert(sizeof...(Branches) <= 64, "pollen::select_on: at most 64 branches, as Tokio");

public:
    using Output = typename std::tuple_element_t<0, std::tuple<Branches...>>::Output;
    static_assert((std::is_same_v<typename Branches::Output, Output> && ...),
                  "pollen::select_on: every branch's handler must give the same type");

    SelectOn(Else otherwise, Branches... branches)
        : branches_(std::move(branches)...), else_(std::move(otherwise)) {}
    SelectOn(SelectOn&&) = default;
    SelectOn& operator=(SelectOn&&) = delete;
    ~SelectOn() { drop_futures(); }

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(!done_ && "pollen: SelectOn polled after it completed");
        constexpr auto n = static_cast<std::uint32_t>(sizeof...(Branches));
        const std::uint32_t start = IsBiased || n == 1 ? 0 : detail::thread_rng_n(n);
        std::optional<Poll<Output>> won;
        for (std::uint32_t i = 0; i < n && !won; ++i) poll_at((start + i) % n, cx, won);
        if (won) return std::move(*won);
        const bool any_enabled = std::apply([](auto&... b) { return (b.is_enabled() || ...); }, branches_);
        if (any_enabled) return pending;
        done_ = true;
        if constexpr (std::is_same_v<Else, detail::NoElse>) {
            throw std::logic_error("pollen::select_on: all branches are disabled and there is no else branch");
        } else {
            return detail::ready_from<Output>([&] { return std::invoke(else_.fn); });
        }
    }

    /// For task dumps (core/trace.hpp): every branch still enabled, in order.
    void describe(TraceVisitor& v) const {
        std::apply([&](const auto&... b) { ((b.fut_ ? v.child(*b.fut_) : void()), ...); }, branches_);
    }

private:
    /// Polls branch number `index` if enabled; fills `won` if it completes and matches.
    void poll_at(std::uint32_t index, Context& cx, std::optional<Poll<Output>>& won) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((I == index ? poll_branch(std::get<I>(branches_), cx, won) : void()), ...);
        }(std::index_sequence_for<Branches...>{});
    }

    template <class B>
    void poll_branch(B& b, Context& cx, std::optional<Poll<Output>>& won) {
        if (!b.fut_) return;
        auto p = b.fut_->poll(cx);
        if (p.is_pending()) return;
        auto value = take_value(p);
        b.fut_.reset();  // the winner first
        if (!b.matches(value)) return;  // disabled; the output dies here
        drop_futures();  // then every other branch, before the handler
        done_ = true;
        won.emplace(detail::ready_from<Output>([&] { return b.call(std::move(value)); }));
    }

    template <class T>
    static unit_if_void_t<T> take_value(Poll<T>& p) {
        if constexpr (std::is_void_v<T>) return Unit{};
        else return p.take();
    }

    void drop_futures() {
        std::apply([](auto&... b) { (b.fut_.reset(), ...); }, branches_);
    }

    std::tuple<Branches...> branches_;
    [[no_unique_address]] Else else_;
    bool done_ = false;
    [[no_unique_address]] detail::PinCheck pin_;
};

namespace detail {

template <class... Args>
consteval bool check_select_args() {
    constexpr std::size_t n = sizeof...(Args);
    if constexpr (n == 0) {
        static_assert(n > 0, "pollen::select_on requires at least one branch");
        return false;
    } else {
        constexpr bool has_else = is_otherwise_v<std::tuple_element_t<n - 1, std::tuple<Args...>>>;
        constexpr std::size_t branches = n - (has_else ? 1 : 0);
        constexpr bool all_branches = []<std::size_t... I>(std::index_sequence<I...>) {
            return (is_branch_v<std::tuple_element_t<I, std::tuple<Args...>>> && ...);
        }(std::make_index_sequence<branches>{});
        static_assert(all_branches,
                      "pollen::select_on takes pollen::branch(...)es, then optionally pollen::otherwise(...) last "
                      "(and pollen::biased first)");
        static_assert(branches > 0, "pollen::select_on requires at least one branch");
        if constexpr (all_branches && branches > 0 && has_else) {
            using Last = std::tuple_element_t<n - 1, std::tuple<Args...>>;
            using First = std::tuple_element_t<0, std::tuple<Args...>>;
            static_assert(std::is_same_v<typename else_output<Last>::type, typename First::Output>,
                          "pollen::select_on: otherwise must give the same type as the branches' handlers");
            return std::is_same_v<typename else_output<Last>::type, typename First::Output>;
        }
        return all_branches && branches > 0;
    }
}

template <bool IsBiased, class... Args>
auto make_select(Args... args) {
    if constexpr (check_select_args<Args...>()) {
        constexpr std::size_t n = sizeof...(Args);
        using Last = std::tuple_element_t<n - 1, std::tuple<Args...>>;
        if constexpr (is_otherwise_v<Last>) {
            std::tuple<Args...> all(std::move(args)...);
            return [&]<std::size_t... I>(std::index_sequence<I...>) {
                return SelectOn<IsBiased, Last, std::tuple_element_t<I, std::tuple<Args...>>...>(
                    std::move(std::get<n - 1>(all)), std::move(std::get<I>(all))...);
            }(std::make_index_sequence<n - 1>{});
        } else {
            return SelectOn<IsBiased, NoElse, Args...>(NoElse{}, std::move(args)...);
        }
    }
}

}  // namespace detail

/// Waits on the branches; the first that completes and matches gives the result.
template <class... Args>
auto select_on(Args... args) {
    return detail::make_select<false>(std::move(args)...);
}
/// The same, polling the branches in the order written (Tokio's `biased;`).
template <class... Args>
auto select_on(Biased, Args... args) {
    return detail::make_select<true>(std::move(args)...);
}

}  // namespace pollen
