// The paused test clock and the blocking pool (Tokio's inhibit_auto_advance):
// while a spawn_blocking closure is queued or running, the paused clock does
// not jump to the next timer (the runtime is not idle: it waits for the
// closure); once the blocking task finished (returned or threw), auto-advance
// resumes at once, even if the runtime is parked and nothing awaits the task.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include <pollen.hpp>

using namespace pollen;
using namespace std::chrono_literals;

namespace {

/// The future `fn()` returns, made inside the runtime (spawn needs one).
template <class Fn>
auto inside(Fn fn) {
    return future::lazy([] {}).then(std::move(fn));
}

Runtime paused_runtime() { return Builder::new_current_thread().enable_all().start_paused(true).build(); }

}  // namespace

TEST(PausedClockAndBlockingPool, ATimeoutDoesNotElapseWhileItsBlockingClosureRuns) {
    Runtime rt = paused_runtime();
    auto r = rt.block_on(inside([] {
                             return time::timeout(3s, spawn_blocking([] {
                                                      std::this_thread::sleep_for(1ms);
                                                      return 5;
                                                  }));
                         }));
    ASSERT_TRUE(r.is_ok()) << "the paused clock auto-advanced past the timeout while the closure ran";
    ASSERT_TRUE(r.value().is_ok());
    EXPECT_EQ(r.value().value(), 5);
}

TEST(PausedClockAndBlockingPool, AThrowingBlockingClosureAlsoHoldsTheClockThenReportsItsPanic) {
    Runtime rt = paused_runtime();
    auto r = rt.block_on(inside([] {
                             return time::timeout(3s, spawn_blocking([]() -> int {
                                                      std::this_thread::sleep_for(1ms);
                                                      throw std::runtime_error("blocking boom");
                                                  }));
                         }));
    ASSERT_TRUE(r.is_ok());
    ASSERT_TRUE(r.value().is_err());
    EXPECT_TRUE(r.value().error().is_panic());
}

TEST(PausedClockAndBlockingPool, TheClockDoesNotMoveWhileABlockingClosureRuns) {
    Runtime rt = paused_runtime();
    auto moved = rt.block_on(inside([] {
                                 auto start = time::Instant::now();
                                 // A timer that would auto-advance the clock by an hour if allowed.
                                 auto sleeper = spawn(time::sleep(1h));
                                 return spawn_blocking([] { std::this_thread::sleep_for(20ms); })
                                     .map([start, s = std::move(sleeper)](auto r) mutable {
                                         EXPECT_TRUE(r.is_ok());
                                         s.abort();
                                         return time::Instant::now() - start;
                                     });
                             }));
    EXPECT_LT(moved, 1h);
}

TEST(PausedClockAndBlockingPool, AFinishedDetachedBlockingTaskLetsAParkedRuntimeAutoAdvance) {
    // The runtime parks (real time) waiting for a paused timer 20 s away while
    // the closure runs; the closure's end must wake it so the clock jumps.
    // Without that wake the sleep would take 20 s of real time: the bound
    // below turns that hang into a failure.
    Runtime rt = paused_runtime();
    auto started = std::chrono::steady_clock::now();
    rt.block_on(inside([] {
                    spawn_blocking([] { std::this_thread::sleep_for(10ms); });  // detached
                    return time::sleep(20s);
                }));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST(PausedClockAndBlockingPool, ABlockingTaskAbortedBeforeItRanReleasesTheClock) {
    Runtime rt = Builder::new_current_thread().start_paused(true).max_blocking_threads(1).build();
    auto started = std::chrono::steady_clock::now();
    rt.block_on(inside([] {
                    // The only blocking thread is busy for a moment; the second
                    // task waits in the queue and is aborted there.
                    spawn_blocking([] { std::this_thread::sleep_for(10ms); });
                    auto queued = spawn_blocking([] {});
                    queued.abort();
                    return time::sleep(20s);
                }));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}
