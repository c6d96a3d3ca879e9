// Time arithmetic at the edges: `Instant + Duration::max()` and every timer
// built from a duration (sleep, timeout, interval and its resets, throttle,
// the stream timeout) saturate to a far future, as Tokio's do, instead of
// wrapping into the past and firing at once. Run under UBSan, these also show
// that no signed overflow happens on the way.
#include <gtest/gtest.h>

// GCC 12 reports a false maybe-uninitialized warning on the Poll of a
// Result inside Timeout (the Makefile's sanitizer builds silence it too).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <chrono>
#include <thread>
#include <vector>

#include <pollen.hpp>
#include <pollen/reactor/interval.hpp>
#include <pollen/reactor/stream_time.hpp>

#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace std::chrono_literals;

namespace {

Runtime paused_runtime() { return Builder::new_current_thread().start_paused(true).build(); }

constexpr time::Duration kForever = time::Duration::max();

/// Runs `fut` on the paused runtime with a one-hour limit: Ok if it finished
/// within the (virtual) hour, Err(Elapsed) if it was still waiting.
template <Future F>
auto within_an_hour(Runtime& rt, F fut) {
    return rt.block_on(time::timeout(1h, std::move(fut)));
}

}  // namespace

TEST(TimeOverflow, InstantPlusTheMaximumDurationSaturatesInsteadOfWrapping) {
    time::Instant now = time::Instant::now();
    EXPECT_GT(now + kForever, now);
    EXPECT_LT(now - kForever, now);
    EXPECT_GT(now + std::chrono::hours::max(), now);  // a coarser unit overflows in the conversion
    EXPECT_LT(now + time::Duration::min(), now);
    EXPECT_EQ(now + kForever + 1h, now + kForever);
}

TEST(TimeOverflow, CheckedArithmeticReportsOverflow) {
    time::Instant now = time::Instant::now();
    EXPECT_FALSE(now.checked_add(kForever).has_value());
    EXPECT_FALSE((now - kForever).checked_sub(kForever).has_value());
    EXPECT_FALSE((now + kForever).checked_add(1ns).has_value());
    ASSERT_TRUE(now.checked_add(1s).has_value());
    EXPECT_EQ(*now.checked_add(1s), now + 1s);
    EXPECT_EQ(*now.checked_sub(1s), now - 1s);
}

TEST(TimeOverflow, InstantDifferencesSaturate) {
    time::Instant lo = time::Instant::now() - kForever;
    time::Instant hi = time::Instant::now() + kForever;
    EXPECT_EQ(hi - lo, time::Duration::max());
    EXPECT_EQ(lo - hi, time::Duration::min());
    EXPECT_EQ(hi.duration_since(lo), time::Duration::max());
}

TEST(TimeOverflow, SleepForTheMaximumDurationDoesNotCompleteAtOnce) {
    Runtime rt = paused_runtime();
    EXPECT_TRUE(within_an_hour(rt, time::sleep(kForever)).is_err());
}

TEST(TimeOverflow, TimeoutWithTheMaximumDurationLetsTheFutureFinish) {
    Runtime rt = paused_runtime();
    auto r = rt.block_on(time::timeout(kForever, time::sleep(1s).map([] { return 7; })));
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(*r, 7);
}

TEST(TimeOverflow, IntervalWithTheMaximumPeriodTicksOnceThenWaits) {
    Runtime rt = paused_runtime();
    test::EnterRuntime enter(rt);
    auto iv = time::interval(kForever);
    rt.block_on(iv.tick());
    EXPECT_TRUE(within_an_hour(rt, iv.tick()).is_err());
}

TEST(TimeOverflow, ALateTickOfAnEndlessIntervalWaitsForEveryMissedTickBehavior) {
    for (auto b : {time::MissedTickBehavior::Burst, time::MissedTickBehavior::Delay,
                   time::MissedTickBehavior::Skip}) {
        Runtime rt = paused_runtime();
        test::EnterRuntime enter(rt);
        auto iv = time::interval_at(time::Instant::now(), kForever);
        iv.set_missed_tick_behavior(b);
        rt.block_on(time::advance(1s));  // the first tick is now late: the missed-tick path runs
        rt.block_on(iv.tick());
        EXPECT_TRUE(within_an_hour(rt, iv.tick()).is_err()) << int(b);
    }
}

TEST(TimeOverflow, ResettingAnIntervalByTheMaximumDurationWaits) {
    Runtime rt = paused_runtime();
    test::EnterRuntime enter(rt);
    auto iv = time::interval(kForever);
    rt.block_on(iv.tick());
    iv.reset();
    EXPECT_TRUE(within_an_hour(rt, iv.tick()).is_err());
    iv.reset_after(kForever);
    EXPECT_TRUE(within_an_hour(rt, iv.tick()).is_err());
}

TEST(TimeOverflow, ThrottleWithTheMaximumPeriodHoldsTheSecondItem) {
    Runtime rt = paused_runtime();
    test::EnterRuntime enter(rt);
    auto s = time::throttle(stream::iter(std::vector<int>{1, 2}), kForever);
    EXPECT_EQ(rt.block_on(s.next()), std::optional<int>(1));
    EXPECT_TRUE(within_an_hour(rt, s.next()).is_err());
}

TEST(TimeOverflow, StreamTimeoutWithTheMaximumDurationDoesNotElapse) {
    Runtime rt = paused_runtime();
    test::EnterRuntime enter(rt);
    auto s = time::timeout(stream::pending<int>(), kForever);
    EXPECT_TRUE(within_an_hour(rt, s.next()).is_err());  // the outer hour, not the stream's limit
}

TEST(TimeOverflow, ASleepUntilTheEndOfTimeOnTheRealClockWaitsWithoutOverflow) {
    // The reactor turns its earliest deadline into a wait; on the real clock
    // that sum must saturate too (UBSan checks it under SAN=address). A value
    // sent from another thread ends the wait; only the outcome is asserted.
    Runtime rt = Builder::new_current_thread().build();
    auto [tx, rx] = oneshot::channel<int>();
    rt.spawn(time::sleep_until(time::Instant(time::Instant::TimePoint::max())));
    std::thread sender([tx = std::move(tx)]() mutable {
        std::this_thread::sleep_for(5ms);
        (void)std::move(tx).send(1);
    });
    auto r = rt.block_on(std::move(rx));
    sender.join();
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(*r, 1);
}
