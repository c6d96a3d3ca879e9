// select_on (Tokio's select!): branches with handlers, `biased` order, the
// fair random start, preconditions (`when`), patterns (`matching`),
// `otherwise` and the logic_error when every branch is disabled, the drop
// order (winner, then the others, then the handler), cancellation at every
// point, and inside tasks on both runtime flavours.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/select_on.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>

#include "support/counting_waker.hpp"
#include "support/gates.hpp"
#include "support/probe_future.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::Gates;
using pollen::test::poll_once;
using pollen::test::Probe;
using pollen::test::ProbeLog;
using Strings = std::vector<std::string>;

namespace {

auto has_value = [](const std::optional<int>& v) { return v.has_value(); };
auto deref = [](std::optional<int> v) { return *v; };
using OptInt = std::optional<int>;

/// A string naming the handler that ran (the branches' common output).
auto named(std::string name) {
    return [name](auto&&...) { return name; };
}

}  // namespace

// ---------------------------------------------------------------- handlers

TEST(CoreSelectOn, TheWinnersHandlerGivesTheOutput) {
    ProbeLog log;
    auto f = select_on(biased, branch(Probe<int>::never(log, "a"), [](int v) { return v * 10; }),
                       branch(Probe<int>(log, "b", 4, 1), [](int v) { return v + 1; }));
    static_assert(std::is_same_v<decltype(f)::Output, int>);
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(poll_once(f).take(), 5);
}

TEST(CoreSelectOn, AHandlerMayIgnoreTheOutputAndABranchWithoutOneGivesIt) {
    auto ignore = select_on(branch(future::ready(std::string("x")), [] { return 7; }));
    EXPECT_EQ(poll_once(ignore).take(), 7);
    auto pass = select_on(branch(future::ready(3)), branch(future::pending<int>()));
    EXPECT_EQ(poll_once(pass).take(), 3);
    bool ran = false;
    auto void_out = select_on(branch(future::ready(), [&] { ran = true; }));
    static_assert(std::is_same_v<decltype(void_out)::Output, void>);
    EXPECT_TRUE(poll_once(void_out).is_ready());
    EXPECT_TRUE(ran);
}

// ---------------------------------------------------------------- biased and fair

TEST(CoreSelectOn, BiasedPollsInTheOrderWrittenAndTheFirstReadyWins) {
    ProbeLog log;
    auto f = select_on(biased, branch(Probe<int>::never(log, "a"), named("a")),
                       branch(Probe<int>(log, "b", 2), named("b")), branch(Probe<int>(log, "c", 3), named("c")));
    EXPECT_EQ(poll_once(f).take(), "b");
    EXPECT_EQ(log.polls(), (Strings{"a", "b"})) << "c is never polled";
    EXPECT_EQ(log.drops(), (Strings{"b", "a", "c"})) << "the winner first, then the others in argument order";
}

TEST(CoreSelectOn, BiasedAlwaysGivesTheFirstReadyBranch) {
    for (int i = 0; i < 200; ++i) {
        auto f = select_on(biased, branch(future::ready(0)), branch(future::ready(1)), branch(future::ready(2)));
        ASSERT_EQ(poll_once(f).take(), 0);
    }
}

TEST(CoreSelectOn, FairStartReachesEveryReadyBranch) {
    // Tokio picks the first branch to poll at random: over many selects of
    // three always-ready branches, each wins some (all but surely: a branch
    // missing from 600 fair draws has probability 3 * (2/3)^600).
    std::map<int, int> wins;
    for (int i = 0; i < 600; ++i) {
        auto f = select_on(branch(future::ready(0)), branch(future::ready(1)), branch(future::ready(2)));
        ++wins[poll_once(f).take()];
    }
    EXPECT_EQ(wins.size(), 3u);
    for (auto [branch, n] : wins) EXPECT_GT(n, 50) << "branch " << branch << " is starved";
}

TEST(CoreSelectOn, FairPollGoesRoundFromItsStart) {
    std::set<Strings> orders;
    for (int i = 0; i < 200; ++i) {
        ProbeLog log;
        auto f = select_on(branch(Probe<int>::never(log, "a")), branch(Probe<int>::never(log, "b")),
                           branch(Probe<int>::never(log, "c")));
        EXPECT_TRUE(poll_once(f).is_pending());
        orders.insert(log.polls());
    }
    // Every poll visits each branch once, in the written order from some start.
    EXPECT_EQ(orders, (std::set<Strings>{{"a", "b", "c"}, {"b", "c", "a"}, {"c", "a", "b"}}));
}

TEST(CoreSelectOn, AnAlwaysReadyBranchDoesNotStarveAnotherInALoop) {
    // The loop of a Tokio select!: a fresh select each time round.
    int ticks = 0, other = 0;
    for (int i = 0; i < 300; ++i) {
        auto f = select_on(branch(future::ready(), [&] { ++ticks; }), branch(future::ready(), [&] { ++other; }));
        ASSERT_TRUE(poll_once(f).is_ready());
    }
    EXPECT_GT(other, 0);
    EXPECT_GT(ticks, 0);
}

// ---------------------------------------------------------------- preconditions

TEST(CoreSelectOn, AFalsePreconditionDisablesTheBranchWhichIsNeverPolled) {
    ProbeLog log;
    auto f = select_on(biased, branch(Probe<int>(log, "off", 1), named("off")).when(false),
                       branch(Probe<int>(log, "on", 2, 1), named("on")).when(true));
    EXPECT_EQ(log.drops(), Strings{"off"}) << "destroyed at once, never polled";
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(poll_once(f).take(), "on");
    EXPECT_EQ(log.polls(), (Strings{"on", "on"}));
}

TEST(CoreSelectOn, PreconditionsCombine) {
    ProbeLog log;
    auto f = select_on(branch(Probe<int>(log, "x", 1), named("x")).when(true).when(false),
                       branch(Probe<int>(log, "y", 2), named("y")));
    EXPECT_EQ(poll_once(f).take(), "y");
}

// ---------------------------------------------------------------- patterns

TEST(CoreSelectOn, AMismatchDisablesTheBranchAndTheSelectGoesOnInTheSamePoll) {
    // `Some(v) = rx.recv()` when recv gives None: the branch is disabled.
    ProbeLog log;
    auto f = select_on(biased, branch(Probe<OptInt>(log, "none", std::nullopt), deref).matching(has_value),
                       branch(Probe<int>(log, "late", 9), [](int v) { return v; }));
    EXPECT_EQ(poll_once(f).take(), 9);
    EXPECT_EQ(log.polls(), (Strings{"none", "late"}));
    EXPECT_EQ(log.drops(), (Strings{"none", "late"}));
}

TEST(CoreSelectOn, AMismatchedBranchIsNotPolledAgain) {
    ProbeLog log;
    auto f = select_on(branch(Probe<OptInt>(log, "none", std::nullopt), named("none")).matching(has_value),
                       branch(Probe<int>(log, "slow", 1, 2), named("slow")));
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(poll_once(f).take(), "slow");
    const Strings polls = log.polls();
    EXPECT_EQ(std::count(polls.begin(), polls.end(), "none"), 1);
}

TEST(CoreSelectOn, AMatchingOutputWins) {
    auto f = select_on(branch(future::ready(OptInt(4)), deref).matching(has_value), branch(future::pending<int>()));
    EXPECT_EQ(poll_once(f).take(), 4);
}

// ---------------------------------------------------------------- else, and no else

TEST(CoreSelectOn, OtherwiseWhenEveryBranchIsDisabledByItsPrecondition) {
    ProbeLog log;
    auto f = select_on(branch(Probe<int>(log, "a", 1), named("a")).when(false),
                       branch(Probe<int>(log, "b", 2), named("b")).when(false),
                       otherwise([] { return std::string("else"); }));
    EXPECT_EQ(poll_once(f).take(), "else");
    EXPECT_TRUE(log.polls().empty());
}

TEST(CoreSelectOn, OtherwiseWhenEveryBranchMismatched) {
    auto f = select_on(branch(future::ready(OptInt()), [](OptInt) { return 1; }).matching(has_value),
                       branch(future::ready(OptInt()), [](OptInt) { return 2; }).matching(has_value),
                       otherwise([] { return 0; }));
    EXPECT_EQ(poll_once(f).take(), 0);
}

TEST(CoreSelectOn, OtherwiseIsNotUsedWhileABranchIsEnabled) {
    ProbeLog log;
    auto f = select_on(branch(Probe<int>(log, "a", 5, 1)), otherwise([] { return -1; }));
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(poll_once(f).take(), 5);
}

TEST(CoreSelectOn, EveryBranchDisabledWithoutOtherwiseThrowsLogicError) {
    // Tokio panics: "all branches are disabled and there is no else branch".
    auto f = select_on(branch(future::ready(1)).when(false), branch(future::ready(2)).when(false));
    try {
        (void)poll_once(f);
        ADD_FAILURE() << "no exception";
    } catch (const std::logic_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("all branches are disabled and there is no else branch"), std::string::npos) << what;
    }
    auto mismatched = select_on(branch(future::ready(OptInt())).matching(has_value));
    EXPECT_THROW((void)poll_once(mismatched), std::logic_error);
}

// ---------------------------------------------------------------- drop order and cancellation

TEST(CoreSelectOn, EveryOtherFutureIsDestroyedBeforeTheHandlerRuns) {
    ProbeLog log;
    CountingWaker cw;
    Strings seen_by_handler;
    auto f = select_on(branch(Probe<int>::never(log, "a"), [&](int) { return 0; }),
                       branch(Probe<int>(log, "b", 1, 1),
                              [&](int v) {
                                  seen_by_handler = log.drops();
                                  return v;
                              }),
                       branch(Probe<int>::never(log, "c"), [&](int) { return 0; }));
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    EXPECT_EQ(poll_once(f, cw).take(), 1);
    EXPECT_EQ(seen_by_handler, (Strings{"b", "a", "c"}));
    EXPECT_TRUE(cw.balanced()) << "no waker left with the losers";
}

TEST(CoreSelectOn, DestroyedMidwayDestroysEveryBranchFutureInArgumentOrder) {
    ProbeLog log;
    CountingWaker cw;
    {
        auto f = select_on(branch(Probe<int>::never(log, "a")), branch(Probe<int>::never(log, "b")),
                           branch(Probe<int>::never(log, "c")), otherwise([] { return 0; }));
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.live(), 3);
        log.clear();
    }
    EXPECT_EQ(log.drops(), (Strings{"a", "b", "c"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreSelectOn, CancelledAtEveryPointLeavesNoBranchFutureBehind) {
    Gates g;
    for (bool is_biased : {false, true}) {
        auto make = [&] {
            auto mismatch = branch(g.future(0, OptInt()), [](OptInt) { return -1; }).matching(has_value);
            auto wins = branch(g.future(1, 10), [](int v) { return v + 1; });
            auto never = branch(g.future(5, 50));
            auto off = branch(g.future(0, 0)).when(false);
            auto m = std::move(mismatch);
            if (is_biased)
                return select_on(biased, std::move(m), std::move(wins), std::move(never), std::move(off)).boxed();
            return select_on(std::move(m), std::move(wins), std::move(never), std::move(off)).boxed();
        };
        auto r = pollen::testing::cancel_at_every_point(make)
                     .setup([&] { g.reset(); })
                     .step([&] { g.open_next(); })
                     .invariant("every branch future destroyed", [&] { return g.alive() == 0; })
                     .invariant("no branch left registered", [&] { return g.waiting() == 0; })
                     .on_output([](int& v) { return v == 11; })
                     .run();
        EXPECT_TRUE(r.ok()) << r;
        EXPECT_EQ(r.points, 5u) << "made, polled, gate 0 (mismatch), polled, gate 1";
    }
}

// ---------------------------------------------------------------- in tasks, both flavours

namespace {

class SelectOnInTasks : public ::testing::TestWithParam<bool> {
protected:
    Runtime make() {
        if (GetParam()) return Builder::new_multi_thread().worker_threads(2).build();
        return Builder::new_current_thread().build();
    }
};

}  // namespace

TEST_P(SelectOnInTasks, TheFirstTaskToFinishWinsAndTheOtherJoinHandleIsDropped) {
    Runtime rt = make();
    auto out = rt.block_on(future::lazy([] {
                               auto fast = spawn(future::ready(1));
                               auto slow = spawn(future::pending<int>());
                               using R = Result<int, JoinError>;
                               return select_on(branch(std::move(fast), [](R r) { return std::move(r).value(); }),
                                                branch(std::move(slow), [](R) { return -1; }));
                           }).then([](auto f) { return f; }));
    EXPECT_EQ(out, 1);
}

TEST_P(SelectOnInTasks, AllDisabledWithoutElseIsAPanicOfTheTask) {
    Runtime rt = make();
    auto h = rt.spawn(future::lazy([] { return 0; }).then([](int) {
        return select_on(branch(future::ready(1)).when(false));
    }));
    auto r = rt.block_on(std::move(h));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    EXPECT_NE(r.error().what().find("all branches are disabled"), std::string::npos) << r.error().what();
    EXPECT_EQ(rt.block_on(rt.spawn(future::ready(5))).value(), 5) << "the runtime goes on";
}

INSTANTIATE_TEST_SUITE_P(BothFlavours, SelectOnInTasks, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });
