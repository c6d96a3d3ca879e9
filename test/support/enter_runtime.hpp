#pragma once
// Test support: poll futures by hand "inside" a runtime, and run the runtime
// between two polls.
//
//     pollen::test::EnterRuntime enter(rt);   // this thread is now inside rt
//     auto sleep = pollen::time::sleep(10ms); // polled by hand, finds rt's reactor
//     ... poll it ...
//     rt.block_on(pollen::time::advance(10ms));       // still allowed: runs rt
//     pollen::test::run_until(rt, [&] { return woken; });  // runs rt until a condition
//
// Tokio's `Runtime::enter()`. Outside a task, so block_on stays allowed; with
// the current-thread flavour, block_on is what runs its tasks, timers and I/O.

#include <chrono>
#include <functional>

#include <pollen/core/poll_fn.hpp>
#include <pollen/runtime/runtime.hpp>

namespace pollen::test {

class EnterRuntime {
public:
    explicit EnterRuntime(Runtime& rt) : guard_(&rt.handle().scheduler(), /*may_block=*/true) {}

private:
    detail::EnterGuard guard_;
};

/// Runs `rt` (its tasks, timers and I/O) until `done()` holds; false if it
/// still did not after `bound` (a hang turned into a failure, not a timing claim).
inline bool run_until(Runtime& rt, const std::function<bool()>& done,
                      std::chrono::milliseconds bound = std::chrono::seconds(10)) {
    auto give_up = std::chrono::steady_clock::now() + bound;
    rt.block_on(future::poll_fn([&](Context& cx) -> Poll<void> {
        if (done() || std::chrono::steady_clock::now() > give_up) return ready();
        cx.waker().wake_by_ref();  // poll again soon: block_on turns the reactor in between
        return pending;
    }));
    return done();
}

}  // namespace pollen::test
