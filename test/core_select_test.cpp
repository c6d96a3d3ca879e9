// select, select_all, race and Either: who is polled, who wins, and when the
// losers are destroyed or handed back.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
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

// ---------------------------------------------------------------- Either

TEST(CoreEither, HoldsOneSide) {
    auto l = Either<int, std::string>::from_left(1);
    auto r = Either<int, std::string>::from_right("r");
    EXPECT_TRUE(l.is_left());
    EXPECT_FALSE(l.is_right());
    EXPECT_EQ(l.left(), 1);
    EXPECT_TRUE(r.is_right());
    EXPECT_EQ(r.right(), "r");
    EXPECT_NE(l, r);
}

TEST(CoreEither, SameTypeOnBothSidesKeepsTheSide) {
    auto l = Either<int, int>::from_left(1);
    auto r = Either<int, int>::from_right(1);
    EXPECT_TRUE(l.is_left());
    EXPECT_TRUE(r.is_right());
    EXPECT_NE(l, r);
}

// ---------------------------------------------------------------- select

TEST(CoreSelect, LeftWinsAndHandsBackTheRightFuture) {
    ProbeLog log;
    auto f = pollen::select(Probe<int>(log, "a", 1, 1), Probe<std::string>(log, "b", "b", 2));
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(log.polls(), (Strings{"a", "b"}));
    auto out = poll_once(f).take();
    ASSERT_TRUE(out.is_left());
    auto [value, other] = std::move(out).left();
    EXPECT_EQ(value, 1);
    EXPECT_EQ(log.drops(), Strings{"a"});
    // The handed-back future carries on where it was.
    EXPECT_TRUE(poll_once(other).is_pending());
    EXPECT_EQ(poll_once(other).take(), "b");
}

TEST(CoreSelect, RightWinsAndHandsBackTheLeftFuture) {
    ProbeLog log;
    auto f = pollen::select(Probe<int>::never(log, "a"), Probe<void>(log, "b", 1));
    static_assert(std::is_same_v<decltype(f)::Output,
                                 Either<std::pair<int, Probe<void>>, std::pair<Unit, Probe<int>>>>);
    EXPECT_TRUE(poll_once(f).is_pending());
    auto out = poll_once(f).take();
    ASSERT_TRUE(out.is_right());
    EXPECT_EQ(log.drops(), Strings{"b"});
    auto loser = std::move(out).right().second;
    EXPECT_TRUE(poll_once(loser).is_pending());
}

TEST(CoreSelect, PollsTheLeftFirstWhenBothAreReady) {
    ProbeLog log;
    auto f = select(Probe<int>(log, "a", 1), Probe<int>(log, "b", 2));
    auto out = poll_once(f).take();
    EXPECT_TRUE(out.is_left());
    EXPECT_EQ(log.polls(), Strings{"a"});
}

TEST(CoreSelect, DroppingTheHandedBackFutureCancelsIt) {
    ProbeLog log;
    CountingWaker cw;
    {
        auto f = select(Probe<int>(log, "a", 1, 1), Probe<int>::never(log, "b"));
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        auto out = poll_once(f, cw).take();
        EXPECT_EQ(log.drops(), Strings{"a"});
    }
    EXPECT_EQ(log.drops(), (Strings{"a", "b"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreSelect, DestroyedMidwayDestroysBothInOrder) {
    ProbeLog log;
    CountingWaker cw;
    {
        auto f = select(Probe<int>::never(log, "a"), Probe<int>::never(log, "b"));
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.live(), 2);
    }
    EXPECT_EQ(log.drops(), (Strings{"a", "b"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreSelect, WorksWithBoxedPinCheckedFutures) {
    // Pollen combinators pin-check; boxing makes them movable after polling.
    ProbeLog log;
    auto a = Probe<int>(log, "a", 1, 1).map([](int v) { return v; }).boxed();
    auto b = Probe<int>::never(log, "b").map([](int v) { return v; }).boxed();
    auto f = select(std::move(a), std::move(b));
    EXPECT_TRUE(poll_once(f).is_pending());
    auto out = poll_once(f).take();
    ASSERT_TRUE(out.is_left());
    auto rest = std::move(out).left().second;
    EXPECT_TRUE(poll_once(rest).is_pending());
}

// ---------------------------------------------------------------- select_all

TEST(CoreSelectAll, FirstReadyWinsWithItsIndexAndTheRestInOrder) {
    ProbeLog log;
    std::vector<Probe<int>> futs;
    futs.emplace_back(log, "a", 1, 5);
    futs.emplace_back(log, "b", 2, 1);
    futs.emplace_back(log, "c", 3, 1);
    auto f = select_all(std::move(futs));
    EXPECT_TRUE(poll_once(f).is_pending());
    log.clear();
    auto [value, index, rest] = poll_once(f).take();
    EXPECT_EQ(value, 2);
    EXPECT_EQ(index, 1u);
    EXPECT_EQ(log.polls(), (Strings{"a", "b"}));  // stopped at the winner
    EXPECT_EQ(log.drops(), Strings{"b"});
    ASSERT_EQ(rest.size(), 2u);
    log.clear();
    EXPECT_TRUE(poll_once(rest[0]).is_pending());
    EXPECT_EQ(poll_once(rest[1]).take(), 3);
    EXPECT_EQ(log.polls(), (Strings{"a", "c"}));
}

TEST(CoreSelectAll, SingleFuture) {
    std::vector<future::Ready<int>> futs;
    futs.push_back(future::ready(7));
    auto f = select_all(std::move(futs));
    auto [value, index, rest] = poll_once(f).take();
    EXPECT_EQ(value, 7);
    EXPECT_EQ(index, 0u);
    EXPECT_TRUE(rest.empty());
}

TEST(CoreSelectAll, DestroyedMidwayDestroysInIndexOrderAndReleasesWakers) {
    ProbeLog log;
    CountingWaker cw;
    {
        std::vector<Probe<void>> futs;
        for (auto name : {"a", "b", "c"}) futs.push_back(Probe<void>::never(log, name));
        auto f = select_all(std::move(futs));
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        log.clear();
    }
    EXPECT_EQ(log.drops(), (Strings{"a", "b", "c"}));
    EXPECT_TRUE(cw.balanced());
}

// ---------------------------------------------------------------- race

TEST(CoreRace, FirstReadyWinsAndLosersAreDestroyedBeforeReady) {
    ProbeLog log;
    CountingWaker cw;
    auto f = pollen::race(Probe<int>::never(log, "a"), Probe<int>(log, "b", 2, 1), Probe<int>::never(log, "c"));
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    EXPECT_EQ(log.polls(), (Strings{"a", "b", "c"}));
    log.clear();
    auto p = poll_once(f, cw);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), 2);
    EXPECT_EQ(log.polls(), (Strings{"a", "b"}));
    EXPECT_EQ(log.drops(), (Strings{"b", "a", "c"}));  // winner, then losers in order
    EXPECT_TRUE(cw.balanced());  // losers gave their wakers back before Ready
}

TEST(CoreRace, EarlierArgumentWinsATie) {
    ProbeLog log;
    auto f = race(Probe<int>(log, "a", 1), Probe<int>(log, "b", 2));
    EXPECT_EQ(poll_once(f).take(), 1);
}

TEST(CoreRace, DifferentFutureTypesWithOneOutputType) {
    auto f = race(future::pending<int>(), future::ready(3).map([](int v) { return v + 1; }), lazy([] { return 9; }));
    EXPECT_EQ(poll_once(f).take(), 4);
}

TEST(CoreRace, VoidOutputs) {
    ProbeLog log;
    auto f = race(Probe<void>::never(log, "a"), Probe<void>(log, "b"));
    EXPECT_TRUE(poll_once(f).is_ready());
}

TEST(CoreRace, DestroyedMidwayDestroysInArgumentOrder) {
    ProbeLog log;
    CountingWaker cw;
    {
        auto f = race(Probe<int>::never(log, "a"), Probe<int>::never(log, "b"));
        EXPECT_TRUE(poll_once(f, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"a", "b"}));
    EXPECT_TRUE(cw.balanced());
}
