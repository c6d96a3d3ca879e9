// Interval's resets (Tokio's reset, reset_immediately, reset_after,
// reset_at) on the paused clock: which instant the next tick is scheduled for,
// when it completes, and that the grid continues from it.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include <pollen.hpp>
#include <pollen/reactor/interval.hpp>

#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace std::chrono_literals;

namespace {

struct Fixture {
    Runtime rt = Builder::new_current_thread().start_paused(true).build();
    test::EnterRuntime enter{rt};
    time::Instant start = time::Instant::now();

    long ms(time::Instant t) const {
        return long(std::chrono::duration_cast<std::chrono::milliseconds>(t - start).count());
    }
    /// (scheduled instant, instant it completed), both in ms from the start.
    std::pair<long, long> tick(time::Interval& iv) {
        time::Instant scheduled = rt.block_on(iv.tick());
        return {ms(scheduled), ms(time::Instant::now())};
    }
    void sleep(time::Duration d) { rt.block_on(time::sleep(d)); }
};

using Tick = std::pair<long, long>;

}  // namespace

TEST(IntervalReset, ResetSchedulesTheNextTickOnePeriodFromNow) {
    Fixture f;
    auto iv = time::interval(100ms);
    EXPECT_EQ(f.tick(iv), Tick(0, 0));
    f.sleep(50ms);
    iv.reset();
    EXPECT_EQ(f.tick(iv), Tick(150, 150));
    EXPECT_EQ(f.tick(iv), Tick(250, 250));
}

TEST(IntervalReset, ResetDiscardsMissedTicks) {
    Fixture f;
    auto iv = time::interval(100ms);  // Burst: ticks 100, 200, 300 would fire back to back
    EXPECT_EQ(f.tick(iv), Tick(0, 0));
    f.sleep(350ms);
    iv.reset();
    EXPECT_EQ(f.tick(iv), Tick(450, 450));
}

TEST(IntervalReset, ResetImmediatelyTicksAtOnceThenKeepsThePeriod) {
    Fixture f;
    auto iv = time::interval(100ms);
    EXPECT_EQ(f.tick(iv), Tick(0, 0));
    f.sleep(50ms);
    iv.reset_immediately();
    EXPECT_EQ(f.tick(iv), Tick(50, 50));
    EXPECT_EQ(f.tick(iv), Tick(150, 150));
}

TEST(IntervalReset, ResetAfterWaitsTheGivenDelayThenKeepsThePeriod) {
    Fixture f;
    auto iv = time::interval(100ms);
    EXPECT_EQ(f.tick(iv), Tick(0, 0));
    f.sleep(50ms);
    iv.reset_after(20ms);
    EXPECT_EQ(f.tick(iv), Tick(70, 70));
    EXPECT_EQ(f.tick(iv), Tick(170, 170));
}

TEST(IntervalReset, ResetAtAFutureInstantMaySleepLongerThanThePeriod) {
    Fixture f;
    auto iv = time::interval(100ms);
    EXPECT_EQ(f.tick(iv), Tick(0, 0));
    iv.reset_at(f.start + 300ms);
    EXPECT_EQ(f.tick(iv), Tick(300, 300));
    EXPECT_EQ(f.tick(iv), Tick(400, 400));
}

TEST(IntervalReset, ResetAtAPastInstantCatchesUpByTheMissedTickBehavior) {
    // Now 250 ms, next tick moved back to 50 ms: it fires at once and the
    // missed-tick rule decides the rest.
    struct Case {
        time::MissedTickBehavior behavior;
        std::vector<Tick> ticks;
    };
    std::vector<Case> cases = {
        {time::MissedTickBehavior::Burst, {{50, 250}, {150, 250}, {250, 250}, {350, 350}}},
        {time::MissedTickBehavior::Delay, {{50, 250}, {350, 350}, {450, 450}, {550, 550}}},
        {time::MissedTickBehavior::Skip, {{50, 250}, {350, 350}, {450, 450}, {550, 550}}},
    };
    for (const Case& c : cases) {
        Fixture f;
        auto iv = time::interval(100ms);
        iv.set_missed_tick_behavior(c.behavior);
        EXPECT_EQ(f.tick(iv), Tick(0, 0));
        f.sleep(250ms);
        iv.reset_at(f.start + 50ms);
        std::vector<Tick> got;
        for (std::size_t i = 0; i < c.ticks.size(); ++i) got.push_back(f.tick(iv));
        EXPECT_EQ(got, c.ticks) << int(c.behavior);
    }
}

TEST(IntervalReset, ResetBeforeTheFirstTickMovesIt) {
    Fixture f;
    auto iv = time::interval(100ms);
    iv.reset();  // the immediate first tick is replaced by one a period from now
    EXPECT_EQ(f.tick(iv), Tick(100, 100));
}

TEST(IntervalReset, ResetWhileATickIsPendingWakesItAtTheNewInstant) {
    Fixture f;
    auto iv = time::interval(100ms);
    EXPECT_EQ(f.tick(iv), Tick(0, 0));
    Context cx(noop_waker_ref());
    auto tick = iv.tick();
    EXPECT_TRUE(tick.poll(cx).is_pending());  // queued for 100 ms
    iv.reset_at(f.start + 30ms);
    EXPECT_EQ(f.tick(iv), Tick(30, 30));
}
