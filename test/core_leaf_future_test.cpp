// Leaf futures: future::ready, future::pending, lazy, poll_fn.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

TEST(CoreReady, IsReadyAtTheFirstPollWithItsValue) {
    auto f = future::ready(std::string("value"));
    auto p = poll_once(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), "value");
}

TEST(CoreReady, VoidFormIsReady) {
    auto f = future::ready();
    static_assert(std::is_same_v<decltype(f)::Output, void>);
    EXPECT_TRUE(poll_once(f).is_ready());
}

TEST(CoreReady, HoldsMoveOnlyValues) {
    auto f = future::ready(std::make_unique<int>(3));
    EXPECT_EQ(*poll_once(f).take(), 3);
}

TEST(CoreReady, NeverTouchesTheWaker) {
    CountingWaker cw;
    auto f = future::ready(1);
    (void)poll_once(f, cw);
    EXPECT_EQ(cw.clones(), 0u);
    EXPECT_EQ(cw.wakes_total(), 0u);
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreReady, CanBeMovedAfterPolling) {
    auto f = future::ready(1).fuse();
    (void)poll_once(f);
    auto g = future::ready(2);
    (void)poll_once(g);
    auto moved = std::move(g);  // leaf futures are Unpin: no pin check fires
    (void)moved;
}

TEST(CorePending, IsNeverReadyAndRegistersNothing) {
    CountingWaker cw;
    auto f = future::pending<int>();
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(poll_once(f, cw).is_pending());
    EXPECT_EQ(cw.clones(), 0u);
    EXPECT_TRUE(cw.balanced());
    auto v = future::pending();
    static_assert(std::is_same_v<decltype(v)::Output, void>);
    EXPECT_TRUE(poll_once(v).is_pending());
}

TEST(CoreLazy, RunsTheClosureOnlyAtTheFirstPoll) {
    int calls = 0;
    auto f = lazy([&] { return ++calls * 10; });
    EXPECT_EQ(calls, 0);
    auto p = poll_once(f);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(p.take(), 10);
}

TEST(CoreLazy, DestroyedBeforePollingNeverRunsTheClosure) {
    int calls = 0;
    { [[maybe_unused]] auto f = lazy([&] { return ++calls; }); }
    EXPECT_EQ(calls, 0);
}

TEST(CoreLazy, PassesTheContextWhenTheClosureTakesOne) {
    CountingWaker cw;
    auto f = pollen::lazy([](Context& cx) {
        cx.waker().wake_by_ref();
        return 5;
    });
    EXPECT_EQ(poll_once(f, cw).take(), 5);
    EXPECT_EQ(cw.wake_by_refs(), 1u);
}

TEST(CoreLazy, VoidClosureGivesAVoidFuture) {
    bool ran = false;
    auto f = future::lazy([&] { ran = true; });
    static_assert(std::is_same_v<decltype(f)::Output, void>);
    EXPECT_TRUE(poll_once(f).is_ready());
    EXPECT_TRUE(ran);
}

TEST(CoreLazy, DestroysTheClosureRightAfterRunningIt) {
    auto token = std::make_shared<int>(0);
    std::weak_ptr<int> weak = token;
    auto f = lazy([t = std::move(token)] { return *t; });
    (void)poll_once(f);
    EXPECT_TRUE(weak.expired());
}

TEST(CorePollFn, CallsTheClosureOnEveryPoll) {
    int polls = 0;
    auto f = pollen::poll_fn([&](Context&) -> Poll<int> {
        if (++polls < 3) return pending;
        return ready(polls);
    });
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_TRUE(poll_once(f).is_pending());
    auto p = poll_once(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), 3);
}

TEST(CorePollFn, SeesTheWakerOfEachPoll) {
    CountingWaker cw;
    std::optional<Waker> kept;
    {
        auto f = poll_fn([&](Context& cx) -> Poll<void> {
            kept = cx.waker();
            return pending;
        });
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.live(), 1);
    }
    std::move(*kept).wake();
    EXPECT_EQ(cw.wakes(), 1u);
    EXPECT_TRUE(cw.balanced());
}

TEST(CorePollFn, ComposesWithCombinators) {
    auto f = poll_fn([](Context&) -> Poll<int> { return ready(4); }).map([](int v) { return v + 1; });
    EXPECT_EQ(poll_once(f).take(), 5);
}
