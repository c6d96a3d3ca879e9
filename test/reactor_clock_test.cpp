// The test clock (Tokio's time::pause / resume / advance): time never goes
// backwards across pause and resume, advances accumulate, and misuse fails
// loudly with std::logic_error, as Tokio's panics do.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

#include <pollen.hpp>
#include <pollen/reactor/detail/clock.hpp>

#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace std::chrono_literals;

namespace {
Runtime current_thread() { return Builder::new_current_thread().build(); }
Runtime paused_runtime() { return Builder::new_current_thread().start_paused(true).build(); }
}  // namespace

TEST(Clock, ResumeContinuesFromTheAdvancedTime) {
    Runtime rt = paused_runtime();
    test::EnterRuntime enter(rt);
    time::Instant start = time::Instant::now();
    rt.block_on(time::advance(10s));
    time::resume();
    EXPECT_FALSE(time::is_paused());
    EXPECT_GE(time::Instant::now(), start + 10s);
}

TEST(Clock, ASecondPauseAndAdvanceKeepsTheFirst) {
    Runtime rt = paused_runtime();
    test::EnterRuntime enter(rt);
    time::Instant start = time::Instant::now();
    rt.block_on(time::advance(10s));
    time::resume();
    time::pause();
    rt.block_on(time::advance(5s));
    EXPECT_GE(time::Instant::now(), start + 15s);
}

TEST(Clock, PausedTimeStandsStillAndResumedTimeMovesOn) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    time::pause();
    time::Instant frozen = time::Instant::now();
    std::this_thread::sleep_for(2ms);
    EXPECT_EQ(time::Instant::now(), frozen);
    time::resume();
    std::this_thread::sleep_for(2ms);
    EXPECT_GT(time::Instant::now(), frozen);
}

TEST(Clock, TimersSetBeforeResumeFireRelativeToTheAdvancedTime) {
    // A 1 s sleep from the advanced instant must not fire early (real time has
    // not caught up with it) nor wait for real time to reach it from behind.
    Runtime rt = paused_runtime();
    test::EnterRuntime enter(rt);
    rt.block_on(time::advance(1h));
    time::Instant before = time::Instant::now();
    bool done = false;
    rt.spawn(time::sleep(20ms).map([&done] { done = true; }));
    time::resume();
    // Bounded in real time: a clock that went back an hour would hang here.
    EXPECT_TRUE(test::run_until(rt, [&] { return done; }));
    EXPECT_GE(time::Instant::now(), before + 20ms);
}

TEST(Clock, PausingTwiceThrows) {
    Runtime rt = paused_runtime();
    test::EnterRuntime enter(rt);
    EXPECT_THROW(time::pause(), std::logic_error);
    EXPECT_TRUE(time::is_paused());  // the failed call changed nothing
}

TEST(Clock, ResumingARunningClockThrows) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    EXPECT_THROW(time::resume(), std::logic_error);
}

TEST(Clock, AdvancingARunningClockThrows) {
    Runtime rt = current_thread();
    EXPECT_THROW(rt.block_on(time::advance(1s)), std::logic_error);
}

TEST(Clock, AdvancingByANegativeDurationThrows) {
    Runtime rt = paused_runtime();
    EXPECT_THROW(rt.block_on(time::advance(-1s)), std::invalid_argument);
}

TEST(Clock, PausingOnAMultiThreadRuntimeThrows) {
    Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
    EXPECT_THROW(rt.block_on(future::lazy([] { time::pause(); })), std::logic_error);
}

TEST(Clock, StartPausedOnAMultiThreadRuntimeThrows) {
    EXPECT_THROW((void)Builder::new_multi_thread().worker_threads(1).start_paused(true).build(),
                 std::logic_error);
}

TEST(Clock, TheTestClockOutsideARuntimeThrows) {
    EXPECT_THROW(time::pause(), std::logic_error);
    EXPECT_THROW(time::resume(), std::logic_error);
    Context cx(noop_waker_ref());
    auto advance = time::advance(1s);
    EXPECT_THROW((void)advance.poll(cx), std::logic_error);
}

TEST(Clock, AClockWhosePausingIsDisabledRefusesToPause) {
    detail::Clock clock;
    clock.set_pausing_allowed(false);
    EXPECT_THROW(clock.pause(), std::logic_error);
    EXPECT_FALSE(clock.is_paused());
}

TEST(Clock, AutoAdvanceOfARunningClockChangesNothing) {
    // The reactor's idle jump may race with resume(): it must neither throw nor move real time.
    detail::Clock clock;
    auto before = clock.now();
    clock.auto_advance(1h);
    EXPECT_LT(clock.now(), before + 1h);
}
