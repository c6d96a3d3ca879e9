#pragma once
// Test support: a Waker that counts what is done with it, and helpers to poll
// a future by hand.
//
//     pollen::test::CountingWaker cw;          // declare it BEFORE the futures it wakes
//     auto fut = make_something();
//     auto p = pollen::test::poll_once(fut, cw);  // polls with a fresh counted waker
//     EXPECT_TRUE(p.is_pending());
//     ...trigger the event...
//     EXPECT_EQ(cw.wakes_total(), 1u);        // someone woke us (wake or wake_by_ref)
//     fut = {}; / let it go out of scope
//     EXPECT_TRUE(cw.balanced());             // every reference it handed out was released
//
// Every reference counts: `waker()` creates one, a clone creates one, a drop
// or a by-value `wake()` releases one. `live()` is what is still held;
// `balanced()` is live() == 0. Counters are atomics, so wakers may be cloned,
// woken and dropped from any thread. The CountingWaker must outlive every
// Waker it made (ASan reports a use-after-scope otherwise).

#include <atomic>
#include <cstddef>

#include <pollen/core/context.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/waker.hpp>

namespace pollen::test {

class CountingWaker {
public:
    CountingWaker() = default;
    CountingWaker(const CountingWaker&) = delete;
    CountingWaker& operator=(const CountingWaker&) = delete;

    /// A new Waker reference that reports to this object.
    Waker waker() {
        created_.fetch_add(1, std::memory_order_relaxed);
        return Waker(RawWaker{this, &vtable});
    }

    std::size_t created() const { return created_.load(); }
    std::size_t clones() const { return clones_.load(); }
    std::size_t drops() const { return drops_.load(); }
    /// By-value wakes (`std::move(w).wake()`), which also release a reference.
    std::size_t wakes() const { return wakes_.load(); }
    std::size_t wake_by_refs() const { return wake_by_refs_.load(); }
    /// Wake-ups of either kind: "was the task told to poll again, and how often".
    std::size_t wakes_total() const { return wakes() + wake_by_refs(); }

    /// References handed out and not yet released.
    long live() const {
        return static_cast<long>(created() + clones()) - static_cast<long>(drops() + wakes());
    }
    /// True when every created or cloned reference was dropped or woken.
    bool balanced() const { return live() == 0; }

private:
    static const CountingWaker& self(const void* d) { return *static_cast<const CountingWaker*>(d); }
    static RawWaker clone(const void* d) {
        self(d).clones_.fetch_add(1, std::memory_order_relaxed);
        return RawWaker{d, &vtable};
    }
    static void wake(const void* d) { self(d).wakes_.fetch_add(1, std::memory_order_relaxed); }
    static void wake_by_ref(const void* d) { self(d).wake_by_refs_.fetch_add(1, std::memory_order_relaxed); }
    static void drop(const void* d) { self(d).drops_.fetch_add(1, std::memory_order_relaxed); }
    static constexpr RawWakerVTable vtable{clone, wake, wake_by_ref, drop};

    // mutable: the vtable entries receive `const void*`, like Rust's RawWaker.
    mutable std::atomic<std::size_t> created_{0}, clones_{0}, drops_{0}, wakes_{0}, wake_by_refs_{0};
};

/// Polls `fut` once with `waker`.
template <Future F>
Poll<output_t<F>> poll_once(F& fut, const Waker& waker) {
    Context cx(waker);
    return fut.poll(cx);
}

/// Polls `fut` once with a fresh reference of `cw` (released when this returns).
template <Future F>
Poll<output_t<F>> poll_once(F& fut, CountingWaker& cw) {
    Waker w = cw.waker();
    return poll_once(fut, w);
}

/// Polls `fut` once with the no-op waker.
template <Future F>
Poll<output_t<F>> poll_once(F& fut) {
    return poll_once(fut, noop_waker_ref());
}

}  // namespace pollen::test
