#pragma once
/// future::PollFn<Fn>: futures-rs's `future::poll_fn`. `pollen::poll_fn(fn)`
/// is a future whose poll is `fn(cx)`, where `fn` returns a `Poll<T>`: the
/// quickest way to write a small leaf future inline. `fn` keeps its captures
/// across polls; it is destroyed with the future. It may be moved whenever
/// `fn`'s captures allow it (nothing in PollFn itself is address-bound).

#include <functional>
#include <type_traits>
#include <utility>

#include "future_ext.hpp"

namespace pollen::detail {
template <class P>
struct poll_output;
template <class T>
struct poll_output<Poll<T>> {
    using type = T;
};
}  // namespace pollen::detail

namespace pollen::future {

template <class Fn>
class PollFn : public FutureExt<PollFn<Fn>> {
public:
    using Output = typename pollen::detail::poll_output<std::invoke_result_t<Fn&, Context&>>::type;

    explicit PollFn(Fn fn) : fn_(std::move(fn)) {}

    Poll<Output> poll(Context& cx) { return std::invoke(fn_, cx); }

private:
    Fn fn_;
};

/// A future that calls `fn(cx)` on every poll.
template <class Fn>
PollFn<Fn> poll_fn(Fn fn) {
    return PollFn<Fn>(std::move(fn));
}

}  // namespace pollen::future

namespace pollen {
using future::poll_fn;
}
