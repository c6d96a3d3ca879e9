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
    EXPECT_PRINTS(r, "spawned 100000 tasks from a task on");
    EXPECT_PRINTS(r, "all 100000 tasks joined after");
    EXPECT_PRINTS(r, "total Collatz steps = 10753840");
    EXPECT_PRINTS(r, "both ran at once");
    EXPECT_PRINTS(r, "select(sleep 60 ms, sleep 20 ms): the 20 ms one won");
    EXPECT_PRINTS(r, "timeout(50 ms, sleep 10 s): Err(deadline has elapsed)");
    EXPECT_PRINTS(r, "timeout(500 ms, sleep 10 ms): Ok");
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
    EXPECT_PRINTS(r, "echo server listening on 127.0.0.1:");
    EXPECT_PRINTS(r, "echo: 1000 of 1000 round trips of \"hello over loopback\" came back intact");
    EXPECT_PRINTS(r, "echo: the server echoed 19000 bytes and ended when the client closed");
    EXPECT_PRINTS(r, "pipeline: 20 items through a channel of capacity 4");
    EXPECT_PRINTS(r, "send() waited for room");
    EXPECT_PRINTS(r, "all 20 consumed after");
    // Backpressure: never more in flight than the channel plus the item being consumed.
    std::size_t at = r.output.find("pipeline: at most ");
    ASSERT_NE(at, std::string::npos) << r.output;
    int peak = std::atoi(r.output.c_str() + at + std::string("pipeline: at most ").size());
    EXPECT_GE(peak, 1) << r.output;
    EXPECT_LE(peak, 5) << r.output;
    EXPECT_PRINTS(r, "files: copied 8388608 bytes (8 MiB)");
    EXPECT_PRINTS(r, "files: read back, the copy is identical to the source; temp dir removed");
    EXPECT_PRINTS(r, "demo finished in ");
}
