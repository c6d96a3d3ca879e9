// Cancellation at every point, runtime layer: JoinHandle, yield_now,
// JoinSet::join_next / join_next_with_id / join_all, unconstrained and a
// spawn_blocking handle, polled by hand inside a current-thread runtime that
// runs between two polls. A JoinHandle destroyed
// mid-way must let go of the waker it gave the task at once (not when the
// task ends), and losing interest must never lose the task or its result.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>
#include <pollen/runtime/unconstrained.hpp>

#include "support/counting_waker.hpp"
#include "support/enter_runtime.hpp"

using namespace pollen;
using pollen::testing::cancel_at_every_point;

namespace {

Runtime current_thread() { return Builder::new_current_thread().enable_all().build(); }

/// Ready after `n` yields: a task that needs the runtime to run it n+1 times.
auto after_yields(int n, int value) {
    return loop_fn(n, [value](int left) {
        return yield_now().map([left, value]() -> LoopStep<int, int> {
            if (left == 0) return Break{value};
            return Continue{left - 1};
        });
    });
}

}  // namespace

TEST(CancelEveryPointRuntime, JoinHandleLetsGoOfItsWakerWhenDestroyed) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    std::optional<JoinHandle<int>> handle;
    auto r = cancel_at_every_point([&] { return std::move(*handle); })
                 .setup([&] { handle.emplace(rt.spawn(after_yields(2, 5))); })
                 .step([&](const pollen::testing::Step& s) {
                     EXPECT_TRUE(test::run_until(rt, [&] { return s.woken_since_poll(); }));
                 })
                 .on_output([](Result<int, JoinError>& v) { return v.is_ok() && *v == 5; })
                 .invariant("the task runs to its end without its handle", [&] {
                     return test::run_until(rt, [&] { return rt.metrics().tasks_alive == 0; });
                 })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointRuntime, YieldNow) {
    auto r = cancel_at_every_point([] { return yield_now(); }).run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 2u);
}

TEST(CancelEveryPointRuntime, JoinSetJoinNextLosesNoTask) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    std::optional<JoinSet<int>> set;
    std::multiset<int> results;
    auto r = cancel_at_every_point([&] { return set->join_next(); })
                 .setup([&] {
                     set.emplace();
                     results.clear();
                     set->spawn(after_yields(1, 1));
                     set->spawn(after_yields(3, 2));
                 })
                 .step([&](const pollen::testing::Step& s) {
                     EXPECT_TRUE(test::run_until(rt, [&] { return s.woken_since_poll(); }));
                 })
                 .on_output([&](std::optional<Result<int, JoinError>>& v) {
                     if (v && v->is_ok()) results.insert(**v);
                     return v.has_value();
                 })
                 .invariant("every task's result is still in the set or was returned", [&] {
                     while (!set->is_empty()) {
                         auto next = rt.block_on(set->join_next());
                         if (!next || next->is_err()) return false;
                         results.insert(**next);
                     }
                     return results == std::multiset<int>{1, 2};
                 })
                 // The set keeps the waker of the last join_next (Tokio's does too).
                 .teardown([&] { set.reset(); })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointRuntime, SpawnBlockingHandle) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    auto release = std::make_shared<std::atomic<bool>>(false);
    auto finished = std::make_shared<std::atomic<bool>>(false);
    std::optional<JoinHandle<int>> handle;
    auto r = cancel_at_every_point([&] { return std::move(*handle); })
                 .setup([&] {
                     release->store(false);
                     finished->store(false);
                     handle.emplace(rt.spawn_blocking([release, finished] {
                         while (!release->load()) std::this_thread::yield();
                         finished->store(true);
                         return 9;
                     }));
                 })
                 .step([&](const pollen::testing::Step& s) {
                     release->store(true);
                     EXPECT_TRUE(s.wait_for_wake());  // woken from the blocking thread
                 })
                 .on_output([](Result<int, JoinError>& v) { return v.is_ok() && *v == 9; })
                 .invariant("the closure still runs to its end", [&] {
                     release->store(true);
                     while (!finished->load()) std::this_thread::yield();
                     return true;
                 })
                 .settle(std::chrono::seconds(10))  // the blocking thread may still be finishing its wake
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

// The bug the runs above found: a JoinHandle that was polled and then
// destroyed kept its waker inside the task until the task ended, pinning
// the waiting task (or whatever the waker owns) for as long as it ran.
TEST(CancelEveryPointRuntime, ADestroyedJoinHandleReleasesItsWakerBeforeTheTaskEnds) {
    test::CountingWaker cw;
    Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
    auto never = rt.spawn(future::pending<int>());
    {
        auto polled = std::move(never);
        EXPECT_TRUE(test::poll_once(polled, cw).is_pending());
        EXPECT_EQ(cw.live(), 1);
    }
    EXPECT_TRUE(cw.balanced());  // while the task still runs
    EXPECT_EQ(rt.metrics().tasks_alive, 1u);
}

TEST(CancelEveryPointRuntime, JoinSetJoinNextWithIdLosesNoTask) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    std::optional<JoinSet<int>> set;
    std::multiset<int> results;
    auto r = cancel_at_every_point([&] { return set->join_next_with_id(); })
                 .setup([&] {
                     set.emplace();
                     results.clear();
                     set->spawn(after_yields(1, 1));
                     set->spawn(after_yields(3, 2));
                 })
                 .step([&](const pollen::testing::Step& s) {
                     EXPECT_TRUE(test::run_until(rt, [&] { return s.woken_since_poll(); }));
                 })
                 .on_output([&](JoinSet<int>::OutputWithId& v) {
                     if (v && v->is_ok()) results.insert(v->value().second);
                     return v.has_value();
                 })
                 .invariant("every task's result is still in the set or was returned", [&] {
                     while (!set->is_empty()) {
                         auto next = rt.block_on(set->join_next());
                         if (!next || next->is_err()) return false;
                         results.insert(**next);
                     }
                     return results == std::multiset<int>{1, 2};
                 })
                 .teardown([&] { set.reset(); })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointRuntime, JoinSetJoinAllDestroyedMidWayAbortsTheRest) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    std::optional<JoinSet<int>> set;
    auto r = cancel_at_every_point([&] { return std::move(*set).join_all(); })
                 .setup([&] {
                     set.emplace();
                     set->spawn(after_yields(1, 1));
                     set->spawn(after_yields(3, 2));
                 })
                 .step([&](const pollen::testing::Step& s) {
                     EXPECT_TRUE(test::run_until(rt, [&] { return s.woken_since_poll(); }));
                 })
                 .on_output([](std::vector<int>& v) {
                     std::sort(v.begin(), v.end());
                     return v == std::vector<int>{1, 2};
                 })
                 .invariant("no task outlives the join_all", [&] {
                     return test::run_until(rt, [&] { return rt.metrics().tasks_alive == 0; });
                 })
                 .teardown([&] { set.reset(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointRuntime, UnconstrainedYieldNow) {
    auto r = cancel_at_every_point([] { return unconstrained(yield_now()); }).run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 2u);
}
