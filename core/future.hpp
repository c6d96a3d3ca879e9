#pragma once
/// The Future concept: Rust's `trait Future`.
///
///     struct MyFuture {
///         using Output = T;
///         pollen::Poll<T> poll(pollen::Context& cx);
///     };
///
/// `poll` either finishes (Ready with the output) or returns Pending after
/// arranging a wake-up through `cx.waker()`. A future is driven by whoever
/// owns it; it is not polled again after it returned Ready (except `Fuse`d
/// ones), and it must not be moved after its first poll (Rust's `Pin`):
/// pollen's own futures check that in debug builds (see PinCheck below).
/// Destroying a future cancels it: its destructor releases every waker,
/// registration and child future it holds.

#include <cstdio>
#include <cstdlib>
#include <type_traits>

#include "context.hpp"
#include "poll.hpp"
#include "result.hpp"

namespace pollen {

template <class F>
concept Future = requires(F& f, Context& cx) {
    typename F::Output;
    { f.poll(cx) } -> std::same_as<Poll<typename F::Output>>;
};

template <Future F>
using output_t = typename F::Output;

/// `Future<F>` as a value, for the static_asserts at pollen's entry points:
/// a failed one then notes "'pollen::is_future_v<X>' evaluates to false"
/// rather than the concept's whole explanation.
template <class F>
inline constexpr bool is_future_v = Future<F>;

/// The output as a value type: `void` becomes `Unit` (for tuples, vectors).
template <class T>
using unit_if_void_t = std::conditional_t<std::is_void_v<T>, Unit, T>;

#ifndef POLLEN_PIN_CHECKS
#ifdef NDEBUG
#define POLLEN_PIN_CHECKS 0
#else
#define POLLEN_PIN_CHECKS 1
#endif
#endif

namespace detail {

[[noreturn]] inline void pin_violation(const char* what) {
    std::fprintf(stderr,
                 "pollen: %s. A future is pinned once polled (Rust's Pin): move it before "
                 "its first poll, or box it with .boxed() and move the box.\n",
                 what);
    std::abort();
}

#if POLLEN_PIN_CHECKS
/// Debug-build guard a future holds as a member: remembers where it was first
/// polled and aborts with a clear message if the future is moved afterwards.
class PinCheck {
public:
    PinCheck() = default;
    PinCheck(const PinCheck& other) { require_unpinned(other); }
    PinCheck(PinCheck&& other) noexcept { require_unpinned(other); }
    PinCheck& operator=(const PinCheck& other) {
        require_unpinned(other);
        pinned_at_ = nullptr;
        return *this;
    }
    PinCheck& operator=(PinCheck&& other) noexcept {
        require_unpinned(other);
        pinned_at_ = nullptr;  // assigning over a future replaces it (Pin::set)
        return *this;
    }

    /// Call at the top of poll with `this` of the future.
    void on_poll(const void* self) {
        if (pinned_at_ == nullptr) pinned_at_ = self;
        else if (pinned_at_ != self) pin_violation("a future was relocated after its first poll");
    }
    bool pinned() const { return pinned_at_ != nullptr; }

private:
    static void require_unpinned(const PinCheck& other) {
        if (other.pinned_at_ != nullptr) pin_violation("a future was moved after its first poll");
    }
    const void* pinned_at_ = nullptr;
};
#else
class PinCheck {
public:
    void on_poll(const void*) {}
    bool pinned() const { return false; }
};
#endif

}  // namespace detail
}  // namespace pollen
