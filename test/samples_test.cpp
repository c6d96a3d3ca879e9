// The samples are documentation that runs: each test executes a built sample
// ($POLLEN_BUILD/samples/NAME, as `make test` sets it; "build" otherwise) and
// checks that it exits 0 and prints the lines a reader is promised.

#include "support/sample_process.hpp"

using namespace pollen::test_support;
using SampleRun = CommandRun;


TEST(Samples, TimerFutureCompletesAndCancels) {
    SampleRun r = run_sample("timer_future");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_PRINTS(r, "TimerFuture: poll #1 -> Pending");
    EXPECT_PRINTS(r, "TimerFuture ready");
    EXPECT_PRINTS(r, "AtomicTimerFuture ready");
    EXPECT_PRINTS(r, "400 zero-length timers raced their own registration: no wake-up lost");
    EXPECT_PRINTS(r, "was cancelled in well under a second");
}

TEST(Samples, MiniExecutorRunsEveryTask) {
    SampleRun r = run_sample("mini_executor");
    ASSERT_EQ(r.status, 0) << r.output;
    for (const char* task : {"ping", "pong", "espresso", "timer"})
        EXPECT_PRINTS(r, std::string("task '") + task + "' finished");
    EXPECT_PRINTS(r, "espresso: 2 cups ready");
    EXPECT_PRINTS(r, "executor: all tasks finished");
    // Yielding interleaves the two chatty tasks.
    EXPECT_LT(r.output.find("pong (2 more)"), r.output.find("ping (1 more)")) << r.output;
}

TEST(Samples, CombinatorTourShowsEveryCombinator) {
    SampleRun r = run_sample("combinator_tour");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_PRINTS(r, "join gave 40 + 2 = 42");
    EXPECT_PRINTS(r, "select: 'fast' won");
    EXPECT_PRINTS(r, "select: the loser, driven on, finished with 'slow'");
    EXPECT_PRINTS(r, "race: 'hare' won");
    EXPECT_PRINTS(r, "under a 100 ms limit -> Ok 7");
    EXPECT_PRINTS(r, "under a 30 ms limit -> Err(TimedOut)");
    EXPECT_PRINTS(r, "try_join: Ok(20, 30)");
    EXPECT_PRINTS(r, "try_join: Err(orders failed)");
    EXPECT_PRINTS(r, "and_then: Ok(15)");
    EXPECT_PRINTS(r, "and_then: Err(login failed)");
    EXPECT_EQ(r.output.find("never printed"), std::string::npos) << r.output;
    EXPECT_PRINTS(r, "loop_fn: tick 3\nloop_fn: tick 2\nloop_fn: tick 1\nloop_fn: liftoff");
    EXPECT_PRINTS(r, "spawn: tasks returned 40 and 2 -> 42");
    EXPECT_PRINTS(r, "tour finished");
}

TEST(Samples, DemoTourForNewcomers) {
    SampleRun r = run_sample("demo");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_PRINTS(r, "spawned 10000 tasks on");
    EXPECT_PRINTS(r, "total Collatz steps = 849666");
    EXPECT_PRINTS(r, "both ran at once");
    EXPECT_PRINTS(r, "select(60 ms, 20 ms): the 20 ms one won");
    EXPECT_PRINTS(r, "finished task: Ok(42)");
    EXPECT_PRINTS(r, "sleeping task: is_finished() = false");
    EXPECT_PRINTS(r, "aborted task: is_cancelled() = true");
    EXPECT_PRINTS(r, "was cancelled");
    EXPECT_PRINTS(r, "throwing task: is_panic() = true");
    EXPECT_PRINTS(r, "panicked: the disk is on fire");
    EXPECT_PRINTS(r, "rethrow() gives the original exception back: the disk is on fire");
    EXPECT_PRINTS(r, "the runtime still runs tasks afterwards: Ok(1)");
    EXPECT_PRINTS(r, "  A: step 1\n  A: step 2\n  A: step 3\n  B: step 1");
    EXPECT_PRINTS(r, "  A: step 1\n  B: step 1\n  A: step 2\n  B: step 2\n  A: step 3\n  B: step 3");
    EXPECT_PRINTS(r, "both parents finished");
    EXPECT_PRINTS(r, "finished: 10 ms 20 ms 30 ms");
    EXPECT_PRINTS(r, "demo finished");
}
