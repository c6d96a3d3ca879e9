// Cancellation at every point, time: sleep, timeout, an interval's tick, the
// interval and throttle streams, on a paused current-thread runtime whose
// clock each step moves forward. A timer destroyed mid-way must leave the
// heap at once: the waker it registered is released with it (checked right
// after the destruction, not when the runtime goes).
#include <gtest/gtest.h>

// GCC 12 reports a false maybe-uninitialized warning on the Poll of a
// Result inside Timeout (the Makefile's sanitizer builds silence it too).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <chrono>
#include <optional>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>

#include "support/enter_runtime.hpp"
#include "support/gates.hpp"

using namespace pollen;
using namespace std::chrono_literals;
using pollen::testing::cancel_at_every_point;
using pollen::testing::cancel_stream_at_every_point;

namespace {

Runtime paused() { return Builder::new_current_thread().enable_all().start_paused(true).build(); }

}  // namespace

TEST(CancelEveryPointTime, Sleep) {
    Runtime rt = paused();
    test::EnterRuntime enter(rt);
    auto r = cancel_at_every_point([] { return time::sleep(30ms); })
                 .step([&] { rt.block_on(time::advance(10ms)); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    // The deadline is set when the Sleep is made; each instance starts later
    // on the paused clock, but always needs three 10 ms steps.
    EXPECT_EQ(r.points, 7u);
}

TEST(CancelEveryPointTime, TimeoutThatExpiresDestroysTheInnerFuture) {
    Runtime rt = paused();
    test::EnterRuntime enter(rt);
    test::Gates gates;  // never opened: the inner future waits for ever
    auto r = cancel_at_every_point([&] { return time::timeout(20ms, gates.future(0, 1)); })
                 .step([&] { rt.block_on(time::advance(10ms)); })
                 .on_output([&](Result<int, time::Elapsed>& v) { return v.is_err() && gates.alive() == 0; })
                 .invariant("the inner future is gone", [&] { return gates.alive() == 0; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 5u);
}

TEST(CancelEveryPointTime, TimeoutWhoseFutureWinsDropsTheTimer) {
    Runtime rt = paused();
    test::EnterRuntime enter(rt);
    test::Gates gates;
    auto r = cancel_at_every_point([&] { return time::timeout(1h, gates.future(1, 1)); })
                 .setup([&] { gates.reset(); })
                 .step([&] { gates.open_next(); })
                 .on_output([](Result<int, time::Elapsed>& v) { return v.is_ok() && *v == 1; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointTime, IntervalTickLosesNoTick) {
    Runtime rt = paused();
    test::EnterRuntime enter(rt);
    std::optional<time::Interval> interval;
    int steps = 0;
    bool taken = false;
    auto r = cancel_at_every_point([&] { return interval->tick(); })
                 .setup([&] {
                     interval.emplace(time::interval(10ms));
                     (void)rt.block_on(interval->tick());  // the first tick is immediate
                     steps = 0;
                     taken = false;
                 })
                 .step([&] {
                     rt.block_on(time::advance(5ms));
                     ++steps;
                 })
                 .on_output([&](time::Instant&) { return taken = true; })
                 // The Interval keeps its timer (and the waker in it) between ticks.
                 .wakers_released_by_teardown()
                 .invariant("a due tick not taken by the destroyed tick() is still due", [&] {
                     Context cx(noop_waker_ref());
                     bool due = !taken && steps >= 2;  // the second tick is due 10 ms after the first
                     return interval->tick().poll(cx).is_ready() == due;
                 })
                 .teardown([&] { interval.reset(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointTime, IntervalStreamAndThrottle) {
    Runtime rt = paused();
    test::EnterRuntime enter(rt);
    auto i = cancel_stream_at_every_point([] { return time::interval_stream(10ms); })
                 .step([&] { rt.block_on(time::advance(10ms)); })
                 .items(3)
                 .run();
    EXPECT_TRUE(i.ok()) << i;
    auto t = cancel_stream_at_every_point([] { return time::throttle(stream::iter({1, 2, 3}), 10ms); })
                 .step([&] { rt.block_on(time::advance(5ms)); })
                 .run();
    EXPECT_TRUE(t.ok()) << t;
}
