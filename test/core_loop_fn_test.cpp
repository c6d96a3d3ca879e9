// loop_fn: a loop as a future, without coroutines and without stack growth.
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

TEST(CoreLoopStep, ContinueAndBreakConvert) {
    LoopStep<int, std::string> c = Continue{3};
    LoopStep<int, std::string> b = Break{std::string("done")};
    EXPECT_TRUE(c.is_continue());
    EXPECT_EQ(std::move(c).state(), 3);
    EXPECT_TRUE(b.is_break());
    EXPECT_EQ(std::move(b).value(), "done");
    LoopStep<int, void> v = Break{};
    EXPECT_TRUE(v.is_break());
}

TEST(CoreLoopStep, SameStateAndValueTypeKeepsTheKind) {
    LoopStep<int, int> b = Break{1};
    LoopStep<int, int> c = Continue{1};
    EXPECT_TRUE(b.is_break());
    EXPECT_TRUE(c.is_continue());
}

TEST(CoreLoopFn, LoopsUntilBreak) {
    auto f = loop_fn(0, [](int i) {
        return lazy([i]() -> LoopStep<int, std::string> {
            if (i == 5) return Break{std::to_string(i)};
            return Continue{i + 1};
        });
    });
    EXPECT_EQ(poll_once(f).take(), "5");
}

TEST(CoreLoopFn, AMillionImmediateIterationsUseConstantStack) {
    // With recursion per iteration this would overflow any default stack.
    auto f = loop_fn(std::pair<long, long>{0, 0}, [](std::pair<long, long> s) {
        return future::ready(s.first == 1'000'000 ? LoopStep<std::pair<long, long>, long>(Break{s.second})
                                                  : LoopStep<std::pair<long, long>, long>(
                                                        Continue{std::pair{s.first + 1, s.second + s.first}}));
    });
    auto p = poll_once(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), 999'999L * 1'000'000L / 2);
}

TEST(CoreLoopFn, PendingIterationResumesWhereItWas) {
    ProbeLog log;
    int bodies = 0;
    auto f = loop_fn(0, [&](int i) {
        ++bodies;
        using Step = LoopStep<int, int>;
        return Probe<Step>(log, "it" + std::to_string(i), i == 2 ? Step(Break{i * 10}) : Step(Continue{i + 1}), 1);
    });
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_TRUE(poll_once(f).is_pending());
    auto p = poll_once(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), 20);
    EXPECT_EQ(bodies, 3);
    // Each iteration's future is destroyed before the next one is made.
    EXPECT_EQ(log.events(), (Strings{"poll:it0", "poll:it0", "drop:it0", "poll:it1", "poll:it1", "drop:it1",
                                     "poll:it2", "poll:it2", "drop:it2"}));
}

TEST(CoreLoopFn, VoidResult) {
    int count = 0;
    auto f = loop_fn(3, [&](int n) {
        return lazy([&count, n]() -> LoopStep<int, void> {
            ++count;
            if (n == 0) return Break{};
            return Continue{n - 1};
        });
    });
    static_assert(std::is_same_v<decltype(f)::Output, void>);
    EXPECT_TRUE(poll_once(f).is_ready());
    EXPECT_EQ(count, 4);
}

TEST(CoreLoopFn, DestroyedMidwayDestroysTheRunningIteration) {
    ProbeLog log;
    CountingWaker cw;
    {
        auto f = loop_fn(0, [&](int) { return Probe<LoopStep<int, int>>::never(log, "body", Continue{0}); });
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.live(), 1);
    }
    EXPECT_EQ(log.drops(), Strings{"body"});
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreLoopFn, CarriesMoveOnlyState) {
    auto f = loop_fn(std::make_unique<int>(0), [](std::unique_ptr<int> p) {
        return lazy([p = std::move(p)]() mutable -> LoopStep<std::unique_ptr<int>, int> {
            if (*p == 10) return Break{*p};
            ++*p;
            return Continue{std::move(p)};
        });
    });
    EXPECT_EQ(poll_once(f).take(), 10);
}
