// join, try_join, join_all: every child polled on every poll, finished
// children destroyed at once, and the order of destruction.
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
using R = Result<int, std::string>;

// ---------------------------------------------------------------- join

TEST(CoreJoin, ReadyWithTheTupleOfOutputsInArgumentOrder) {
    auto f = pollen::join(future::ready(1), future::ready(std::string("two")), future::ready(3.0));
    auto [a, b, c] = poll_once(f).take();
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, "two");
    EXPECT_EQ(c, 3.0);
}

TEST(CoreJoin, VoidOutputsBecomeUnit) {
    auto f = pollen::join(future::ready(), future::ready(2));
    static_assert(std::is_same_v<decltype(f)::Output, std::tuple<Unit, int>>);
    EXPECT_EQ(std::get<1>(poll_once(f).take()), 2);
}

TEST(CoreJoin, PollsEveryUnfinishedChildOnEachPoll) {
    ProbeLog log;
    auto f = pollen::join(Probe<int>(log, "a", 1, 0), Probe<int>(log, "b", 2, 2), Probe<int>(log, "c", 3, 1));
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(log.polls(), (Strings{"a", "b", "c"}));
    log.clear();
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(log.polls(), (Strings{"b", "c"}));  // a is done: not polled again
    log.clear();
    auto p = poll_once(f);
    EXPECT_EQ(log.polls(), Strings{"b"});
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), std::make_tuple(1, 2, 3));
}

TEST(CoreJoin, DestroysEachChildAsSoonAsItCompletes) {
    ProbeLog log;
    auto f = pollen::join(Probe<int>(log, "slow", 1, 1), Probe<int>(log, "fast", 2, 0));
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(log.drops(), Strings{"fast"});
    EXPECT_TRUE(poll_once(f).is_ready());
    EXPECT_EQ(log.drops(), (Strings{"fast", "slow"}));
}

TEST(CoreJoin, DestroyedMidwayDestroysChildrenInArgumentOrderAndReleasesWakers) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto f = pollen::join(Probe<int>::never(log, "a"), Probe<int>(log, "b", 1), Probe<int>::never(log, "c"));
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.live(), 2);
        log.clear();
    }
    EXPECT_EQ(log.drops(), (Strings{"a", "c"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreJoin, SingleChild) {
    auto f = pollen::join(future::ready(5));
    EXPECT_EQ(std::get<0>(poll_once(f).take()), 5);
}

TEST(CoreJoin, ComposesWithMap) {
    auto f = pollen::join(future::ready(40), future::ready(2)).map([](auto both) {
        auto [a, b] = both;
        return a + b;
    });
    EXPECT_EQ(poll_once(f).take(), 42);
}

TEST(CoreJoin, OfNoFutureIsReadyAtOnceWithAnEmptyTuple) {
    // Tokio's `join!()` is `()`: nothing to wait for.
    auto f = pollen::join();
    static_assert(std::is_same_v<decltype(f)::Output, std::tuple<>>);
    CountingWaker cw;
    EXPECT_TRUE(poll_once(f, cw).is_ready());
    EXPECT_EQ(cw.live(), 0);  // nothing registered
}

TEST(CoreJoin, OfAnEmptyPackInGenericCode) {
    auto run = [](auto... futs) {
        auto f = pollen::join(std::move(futs)...);
        return poll_once(f).take();
    };
    EXPECT_EQ(run(), std::tuple<>());
    EXPECT_EQ(run(future::ready(1)), std::tuple<int>(1));
}

// ---------------------------------------------------------------- try_join

TEST(CoreTryJoin, OfNoFutureIsReadyAtOnceWithOkOfAnEmptyTuple) {
    // Tokio's `try_join!()` is `Ok(())`.
    auto f = pollen::try_join();
    static_assert(std::is_same_v<decltype(f)::Output, Result<std::tuple<>, Unit>>);
    EXPECT_TRUE(poll_once(f).take().is_ok());
}

TEST(CoreTryJoin, OfNoFutureWithANamedErrorType) {
    auto f = pollen::try_join<std::string>();
    static_assert(std::is_same_v<decltype(f)::Output, Result<std::tuple<>, std::string>>);
    EXPECT_TRUE(poll_once(f).take().is_ok());
    // Named with futures too, it must be theirs.
    auto g = pollen::try_join<std::string>(future::ready(R(Ok(4))));
    EXPECT_EQ(std::get<0>(*poll_once(g).take()), 4);
}

TEST(CoreTryJoin, AllOkGivesOkOfTheTuple) {
    auto f = pollen::try_join(future::ready(R(Ok(1))), future::ready(Result<void, std::string>(Ok())),
                              future::ready(Result<std::string, std::string>(Ok(std::string("x")))));
    static_assert(std::is_same_v<decltype(f)::Output, Result<std::tuple<int, Unit, std::string>, std::string>>);
    auto r = poll_once(f).take();
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(std::get<0>(*r), 1);
    EXPECT_EQ(std::get<2>(*r), "x");
}

TEST(CoreTryJoin, FirstErrorWinsAndTheOthersAreDestroyedAtOnce) {
    CountingWaker cw;
    ProbeLog log;
    auto f = pollen::try_join(Probe<R>(log, "ok", Ok(1)), Probe<R>::never(log, "pending", Ok(0)),
                              Probe<R>(log, "err", Err(std::string("late")), 1),
                              Probe<R>::never(log, "after", Ok(0)));
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    EXPECT_EQ(log.drops(), Strings{"ok"});
    log.clear();
    auto p = poll_once(f, cw);
    ASSERT_TRUE(p.is_ready());
    auto r = p.take();
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), "late");
    // Polled up to the error, then everything still alive destroyed in argument order.
    EXPECT_EQ(log.polls(), (Strings{"pending", "err"}));
    EXPECT_EQ(log.drops(), (Strings{"err", "pending", "after"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreTryJoin, ErrorsInOnePollReportTheEarliestArgument) {
    ProbeLog log;
    auto f = pollen::try_join(Probe<R>(log, "a", Err(std::string("first"))), Probe<R>(log, "b", Err(std::string("second"))));
    EXPECT_EQ(poll_once(f).take().error(), "first");
    EXPECT_EQ(log.polls(), Strings{"a"});
}

TEST(CoreTryJoin, DestroyedMidwayDestroysChildrenInArgumentOrder) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto f = pollen::try_join(Probe<R>::never(log, "a", Ok(0)), Probe<R>::never(log, "b", Ok(0)));
        EXPECT_TRUE(poll_once(f, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"a", "b"}));
    EXPECT_TRUE(cw.balanced());
}

// ---------------------------------------------------------------- join_all

TEST(CoreJoinAll, OutputsInInputOrder) {
    ProbeLog log;
    std::vector<Probe<int>> futs;
    futs.emplace_back(log, "a", 10, 2);
    futs.emplace_back(log, "b", 20, 0);
    futs.emplace_back(log, "c", 30, 1);
    auto f = pollen::join_all(std::move(futs));
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_TRUE(poll_once(f).is_pending());
    auto p = poll_once(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), (std::vector<int>{10, 20, 30}));
    EXPECT_EQ(log.drops(), (Strings{"b", "c", "a"}));  // each as soon as it completed
}

TEST(CoreJoinAll, EmptyInputIsReadyAtOnce) {
    auto f = pollen::join_all(std::vector<future::Ready<int>>{});
    auto p = poll_once(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.take().empty());
}

TEST(CoreJoinAll, VoidOutputsBecomeUnits) {
    std::vector<future::Ready<void>> futs(3);
    auto f = join_all(std::move(futs));
    EXPECT_EQ(poll_once(f).take().size(), 3u);
}

TEST(CoreJoinAll, DestroyedMidwayDestroysInIndexOrderAndReleasesWakers) {
    CountingWaker cw;
    ProbeLog log;
    {
        std::vector<Probe<int>> futs;
        for (auto name : {"a", "b", "c", "d"}) futs.push_back(Probe<int>::never(log, name));
        auto f = join_all(std::move(futs));
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.live(), 4);
        log.clear();
    }
    EXPECT_EQ(log.drops(), (Strings{"a", "b", "c", "d"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreJoinAll, WorksWithBoxedFuturesOfDifferentTypes) {
    std::vector<BoxFuture<int>> futs;
    futs.push_back(future::ready(1).boxed());
    futs.push_back(future::ready(2).map([](int v) { return v * 10; }).boxed());
    futs.push_back(lazy([] { return 300; }).boxed());
    auto f = join_all(std::move(futs));
    EXPECT_EQ(poll_once(f).take(), (std::vector<int>{1, 20, 300}));
}
