// BoxFuture: type erasure with one allocation, movable after polling.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/probe_future.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;
using pollen::test::Probe;
using pollen::test::ProbeLog;
using Strings = std::vector<std::string>;

TEST(CoreBoxed, ErasesTheTypeAndKeepsTheOutput) {
    BoxFuture<int> a = future::ready(1).boxed();
    BoxFuture<int> b = pollen::boxed(future::ready(2).map([](int v) { return v * 2; }));
    EXPECT_EQ(poll_once(a).take(), 1);
    EXPECT_EQ(poll_once(b).take(), 4);
}

TEST(CoreBoxed, MovableAfterPollingBecauseTheBoxPinsTheFuture) {
    ProbeLog log;
    auto f = Probe<int>(log, "inner", 5, 1).map([](int v) { return v + 1; }).boxed();
    EXPECT_TRUE(poll_once(f).is_pending());
    BoxFuture<int> moved = std::move(f);  // the Map inside stays where it was polled
    EXPECT_FALSE(static_cast<bool>(f));
    EXPECT_EQ(poll_once(moved).take(), 6);
}

TEST(CoreBoxed, BoxingABoxDoesNotAllocateAgain) {
    auto f = future::ready(1).boxed();
    auto g = std::move(f).boxed();
    static_assert(std::is_same_v<decltype(g), BoxFuture<int>>);
    auto h = pollen::boxed(std::move(g));
    EXPECT_EQ(poll_once(h).take(), 1);
}

TEST(CoreBoxed, DestroyingTheBoxDestroysTheFutureAndReleasesTheWaker) {
    ProbeLog log;
    CountingWaker cw;
    {
        auto f = Probe<void>::never(log, "inner").boxed();
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.live(), 1);
    }
    EXPECT_EQ(log.drops(), Strings{"inner"});
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreBoxed, HoldsFuturesOfDifferentTypesInOneContainer) {
    std::vector<BoxFuture<std::string>> futs;
    futs.push_back(future::ready(std::string("a")).boxed());
    futs.push_back(lazy([] { return std::string("b"); }).boxed());
    futs.push_back(future::ready(1).map([](int) { return std::string("c"); }).boxed());
    std::string all;
    for (auto& f : futs) all += poll_once(f).take();
    EXPECT_EQ(all, "abc");
}

TEST(CoreBoxed, MoveAssignmentDestroysThePreviousFuture) {
    ProbeLog log;
    auto f = Probe<int>::never(log, "old").boxed();
    (void)poll_once(f);
    f = future::ready(3).boxed();
    EXPECT_EQ(log.drops(), Strings{"old"});
    EXPECT_EQ(poll_once(f).take(), 3);
}
