// Single-future adapters: map, then, inspect, and_then, or_else, map_ok,
// map_err, fuse. Results, when the inner future is destroyed, and what
// destroying the adapter mid-way releases.
#include <gtest/gtest.h>

#include <memory>
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
using R = Result<int, std::string>;

// ---------------------------------------------------------------- map

TEST(CoreMap, AppliesTheClosureToTheOutput) {
    auto f = future::ready(20).map([](int v) { return v * 2; });
    EXPECT_EQ(poll_once(f).take(), 40);
}

TEST(CoreMap, FreeFunctionFormMatchesTheFluentOne) {
    auto f = pollen::map(future::ready(std::string("ab")), [](std::string s) { return s.size(); });
    EXPECT_EQ(poll_once(f).take(), 2u);
}

TEST(CoreMap, VoidOutputCallsTheClosureWithNothing) {
    auto f = future::ready().map([] { return 7; });
    EXPECT_EQ(poll_once(f).take(), 7);
    bool ran = false;
    auto g = future::ready(1).map([&](int) { ran = true; });
    static_assert(std::is_same_v<decltype(g)::Output, void>);
    EXPECT_TRUE(poll_once(g).is_ready());
    EXPECT_TRUE(ran);
}

TEST(CoreMap, StaysPendingWhileTheInnerFutureIs) {
    ProbeLog log;
    int calls = 0;
    auto f = Probe<int>(log, "a", 1, 2).map([&](int v) { ++calls; return v; });
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(poll_once(f).take(), 1);
    EXPECT_EQ(calls, 1);
}

TEST(CoreMap, DestroysTheInnerFutureBeforeTheClosureRuns) {
    ProbeLog log;
    auto f = Probe<int>(log, "inner", 1).map([&](int v) {
        log.record("fn");
        return v;
    });
    (void)poll_once(f);
    EXPECT_EQ(log.events(), (Strings{"poll:inner", "drop:inner", "fn"}));
}

TEST(CoreMap, DestroysTheClosureOnceItRan) {
    auto token = std::make_shared<int>(1);
    std::weak_ptr<int> weak = token;
    auto f = future::ready(1).map([t = std::move(token)](int v) { return v + *t; });
    EXPECT_EQ(poll_once(f).take(), 2);
    EXPECT_TRUE(weak.expired());
}

TEST(CoreMap, DestroyedMidwayDestroysTheInnerFutureAndReleasesTheWaker) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto f = Probe<int>::never(log, "inner").map([](int v) { return v; });
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.live(), 1);  // the probe holds a clone
    }
    EXPECT_EQ(log.drops(), Strings{"inner"});
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreMap, ChainsFluently) {
    auto f = future::ready(1).map([](int v) { return v + 1; }).map([](int v) { return v * 10; });
    EXPECT_EQ(poll_once(f).take(), 20);
}

// ---------------------------------------------------------------- then

TEST(CoreThen, RunsTheFutureTheClosureReturns) {
    auto f = future::ready(2).then([](int v) { return future::ready(v * 3); });
    EXPECT_EQ(poll_once(f).take(), 6);
}

TEST(CoreThen, PollsTheSecondFutureInTheSamePoll) {
    ProbeLog log;
    auto f = Probe<int>(log, "first", 1).then([&](int v) { return Probe<int>(log, "second", v + 1, 1); });
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(log.polls(), (Strings{"first", "second"}));
    EXPECT_EQ(poll_once(f).take(), 2);
}

TEST(CoreThen, DestroysTheFirstFutureBeforeCallingTheClosure) {
    ProbeLog log;
    auto f = Probe<int>(log, "first", 1).then([&](int v) {
        log.record("fn");
        return Probe<int>(log, "second", v);
    });
    EXPECT_EQ(poll_once(f).take(), 1);
    EXPECT_EQ(log.events(), (Strings{"poll:first", "drop:first", "fn", "poll:second", "drop:second"}));
}

TEST(CoreThen, VoidOutputs) {
    bool ran = false;
    auto f = future::ready().then([&] {
        ran = true;
        return future::ready();
    });
    static_assert(std::is_same_v<decltype(f)::Output, void>);
    EXPECT_TRUE(poll_once(f).is_ready());
    EXPECT_TRUE(ran);
}

TEST(CoreThen, DestroyedMidwayDestroysTheRunningStage) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto f = pollen::then(Probe<int>(log, "first", 1),
                              [&](int) { return Probe<int>::never(log, "second"); });
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(log.drops(), Strings{"first"});
    }
    EXPECT_EQ(log.drops(), (Strings{"first", "second"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreThen, ClosureNeverRunsWhenDestroyedDuringTheFirstStage) {
    ProbeLog log;
    bool ran = false;
    {
        auto f = Probe<int>::never(log, "first").then([&](int v) {
            ran = true;
            return future::ready(v);
        });
        EXPECT_TRUE(poll_once(f).is_pending());
    }
    EXPECT_FALSE(ran);
    EXPECT_EQ(log.drops(), Strings{"first"});
}

// ---------------------------------------------------------------- inspect

TEST(CoreInspect, SeesTheOutputAndPassesItOnUntouched) {
    int seen = 0;
    auto f = future::ready(std::make_unique<int>(9)).inspect([&](const std::unique_ptr<int>& p) { seen = *p; });
    auto out = poll_once(f).take();
    EXPECT_EQ(seen, 9);
    EXPECT_EQ(*out, 9);
}

TEST(CoreInspect, VoidOutputAndFreeFunction) {
    int calls = 0;
    auto f = pollen::inspect(future::ready(), [&] { ++calls; });
    EXPECT_TRUE(poll_once(f).is_ready());
    EXPECT_EQ(calls, 1);
}

TEST(CoreInspect, DestroyedMidwayNeverCallsTheClosure) {
    ProbeLog log;
    bool called = false;
    {
        auto f = Probe<int>::never(log, "inner").inspect([&](const int&) { called = true; });
        EXPECT_TRUE(poll_once(f).is_pending());
    }
    EXPECT_FALSE(called);
    EXPECT_EQ(log.drops(), Strings{"inner"});
}

// ---------------------------------------------------------------- and_then / or_else

TEST(CoreAndThen, OkRunsTheNextFuture) {
    auto f = future::ready(R(Ok(2))).and_then([](int v) { return future::ready(R(Ok(v + 1))); });
    auto r = poll_once(f).take();
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(*r, 3);
}

TEST(CoreAndThen, ErrPassesThroughWithoutCallingTheClosure) {
    bool called = false;
    auto f = future::ready(R(Err(std::string("boom")))).and_then([&](int v) {
        called = true;
        return future::ready(Result<std::string, std::string>(Ok(std::to_string(v))));
    });
    static_assert(std::is_same_v<decltype(f)::Output, Result<std::string, std::string>>);
    auto r = poll_once(f).take();
    EXPECT_FALSE(called);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), "boom");
}

TEST(CoreAndThen, VoidValueCallsTheClosureWithNothing) {
    using V = Result<void, int>;
    auto f = pollen::and_then(future::ready(V(Ok())), [] { return future::ready(Result<int, int>(Ok(1))); });
    EXPECT_EQ(*poll_once(f).take(), 1);
}

TEST(CoreAndThen, DestroyedMidwayDestroysTheSecondFuture) {
    ProbeLog log;
    CountingWaker cw;
    {
        auto f = Probe<R>(log, "first", Ok(1)).and_then([&](int) { return Probe<R>::never(log, "second", Ok(0)); });
        EXPECT_TRUE(poll_once(f, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"first", "second"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreOrElse, ErrRunsTheRecoveryFuture) {
    auto f = future::ready(R(Err(std::string("x")))).or_else([](std::string e) {
        return future::ready(Result<int, int>(Ok(static_cast<int>(e.size()))));
    });
    static_assert(std::is_same_v<decltype(f)::Output, Result<int, int>>);
    EXPECT_EQ(*poll_once(f).take(), 1);
}

TEST(CoreOrElse, OkPassesThroughWithoutCallingTheClosure) {
    bool called = false;
    auto f = pollen::or_else(future::ready(R(Ok(5))), [&](std::string) {
        called = true;
        return future::ready(R(Ok(0)));
    });
    EXPECT_EQ(*poll_once(f).take(), 5);
    EXPECT_FALSE(called);
}

TEST(CoreOrElse, DestroysTheFirstFutureBeforeCallingTheClosure) {
    ProbeLog log;
    auto f = Probe<R>(log, "first", Err(std::string("e"))).or_else([&](std::string) {
        log.record("fn");
        return future::ready(R(Ok(1)));
    });
    (void)poll_once(f);
    EXPECT_EQ(log.events(), (Strings{"poll:first", "drop:first", "fn"}));
}

// ---------------------------------------------------------------- map_ok / map_err

TEST(CoreMapOk, MapsTheValueAndKeepsTheError) {
    auto ok = future::ready(R(Ok(2))).map_ok([](int v) { return std::to_string(v); });
    static_assert(std::is_same_v<decltype(ok)::Output, Result<std::string, std::string>>);
    EXPECT_EQ(*poll_once(ok).take(), "2");
    bool called = false;
    auto err = pollen::map_ok(future::ready(R(Err(std::string("e")))), [&](int v) {
        called = true;
        return v;
    });
    EXPECT_EQ(poll_once(err).take().error(), "e");
    EXPECT_FALSE(called);
}

TEST(CoreMapOk, VoidOnEitherSide) {
    auto to_void = future::ready(R(Ok(1))).map_ok([](int) {});
    static_assert(std::is_same_v<decltype(to_void)::Output, Result<void, std::string>>);
    EXPECT_TRUE(poll_once(to_void).take().is_ok());
    auto from_void = future::ready(Result<void, int>(Ok())).map_ok([] { return 3; });
    EXPECT_EQ(*poll_once(from_void).take(), 3);
}

TEST(CoreMapErr, MapsTheErrorAndKeepsTheValue) {
    auto err = future::ready(R(Err(std::string("abc")))).map_err([](std::string e) { return e.size(); });
    static_assert(std::is_same_v<decltype(err)::Output, Result<int, std::size_t>>);
    EXPECT_EQ(poll_once(err).take().error(), 3u);
    auto ok = pollen::map_err(future::ready(R(Ok(4))), [](std::string e) { return e.size(); });
    EXPECT_EQ(*poll_once(ok).take(), 4);
}

TEST(CoreMapErr, DestroyedMidwayDestroysTheInnerFuture) {
    ProbeLog log;
    {
        auto f = Probe<R>::never(log, "inner", Ok(0)).map_err([](std::string e) { return e; });
        EXPECT_TRUE(poll_once(f).is_pending());
    }
    EXPECT_EQ(log.drops(), Strings{"inner"});
}

TEST(CoreTryChain, CombinatorsComposeFluently) {
    auto f = future::ready(R(Ok(1)))
                 .and_then([](int v) { return future::ready(R(Err("at " + std::to_string(v)))); })
                 .map_ok([](int v) { return v * 100; })
                 .map_err([](std::string e) { return e + "!"; })
                 .or_else([](std::string e) { return future::ready(R(Ok(static_cast<int>(e.size())))); });
    EXPECT_EQ(*poll_once(f).take(), 5);  // "at 1!"
}

// ---------------------------------------------------------------- fuse

TEST(CoreFuse, PendingForeverAfterCompletion) {
    CountingWaker cw;
    auto f = future::ready(3).fuse();
    EXPECT_FALSE(f.is_terminated());
    EXPECT_EQ(poll_once(f, cw).take(), 3);
    EXPECT_TRUE(f.is_terminated());
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    EXPECT_EQ(cw.clones(), 0u);
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreFuse, DestroysTheInnerFutureWhenItCompletes) {
    ProbeLog log;
    auto f = pollen::fuse(Probe<int>(log, "inner", 1, 1));
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_FALSE(f.is_terminated());
    EXPECT_TRUE(log.drops().empty());
    EXPECT_EQ(poll_once(f).take(), 1);
    EXPECT_EQ(log.drops(), Strings{"inner"});
}

TEST(CoreFuse, DestroyedMidwayReleasesTheWaker) {
    ProbeLog log;
    CountingWaker cw;
    {
        auto f = Probe<void>::never(log, "inner").fuse();
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.live(), 1);
    }
    EXPECT_TRUE(cw.balanced());
    EXPECT_EQ(log.drops(), Strings{"inner"});
}
