// The cooperative budget as the runtime hands it out (Tokio's coop): every
// task poll and every poll of block_on's own future gets the same 128 units;
// `unconstrained(f)` runs f without a budget; `consume_budget()` spends one
// unit and yields once the budget is spent. Both flavours.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>

#include <pollen.hpp>
#include <pollen/runtime/consume_budget.hpp>
#include <pollen/runtime/unconstrained.hpp>

using namespace pollen;

namespace {

Runtime make_runtime(bool multi_thread) {
    if (multi_thread) return Builder::new_multi_thread().worker_threads(2).build();
    return Builder::new_current_thread().build();
}

class Coop : public ::testing::TestWithParam<bool> {};

struct FirstPoll {
    int ready_before_pending = 0;
    bool saw_pending = false;
    bool budget_left = true;
};

/// Inside one poll, receives from an always-ready channel until Pending (at
/// most 1,000 times) and records what it saw; Ready on the next poll.
template <class Rx>
auto drain_once(Rx& rx, FirstPoll& seen) {
    return future::poll_fn([&rx, &seen, polls = 0](Context& cx) mutable -> Poll<void> {
        if (polls++ > 0) return ready();
        for (int i = 0; i < 1000; ++i) {
            if (rx.poll_recv(cx).is_pending()) {
                seen.saw_pending = true;
                break;
            }
            ++seen.ready_before_pending;
        }
        seen.budget_left = coop::has_budget_remaining();
        if (!seen.saw_pending) cx.waker().wake_by_ref();  // else the exhausted budget woke us
        return pending;
    });
}

}  // namespace

TEST_P(Coop, TheBlockOnFutureGetsTheSameBudgetAsATask) {
    Runtime rt = make_runtime(GetParam());
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    FirstPoll seen;
    rt.block_on(drain_once(rx, seen));
    EXPECT_TRUE(seen.saw_pending);
    EXPECT_EQ(seen.ready_before_pending, coop::kTaskBudget);
    EXPECT_FALSE(seen.budget_left);
}

TEST_P(Coop, ATaskPollGetsTheBudgetToo) {
    Runtime rt = make_runtime(GetParam());
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    FirstPoll seen;
    ASSERT_TRUE(rt.block_on(rt.spawn(drain_once(rx, seen))).is_ok());
    EXPECT_TRUE(seen.saw_pending);
    EXPECT_EQ(seen.ready_before_pending, coop::kTaskBudget);
}

TEST(CoopOutsideARuntime, AFuturePolledByHandHasNoBudget) {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    FirstPoll seen;
    auto f = drain_once(rx, seen);
    Context cx(noop_waker_ref());
    EXPECT_TRUE(f.poll(cx).is_pending());
    EXPECT_FALSE(seen.saw_pending);
    EXPECT_EQ(seen.ready_before_pending, 1000);
    EXPECT_TRUE(seen.budget_left);
}

TEST_P(Coop, AJoinSetInABlockOnWithAnExhaustedBudgetYieldsInsteadOfSpinning) {
    // join_next polls the finished task's handle, which is refused while the
    // budget is spent: join_next must yield and deliver on the next poll.
    Runtime rt = make_runtime(GetParam());
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    auto ran = std::make_shared<std::atomic<bool>>(false);
    int got = rt.block_on(future::poll_fn([&, set = std::optional<JoinSet<int>>(), state = 0](
                                              Context& cx) mutable -> Poll<int> {
        if (state == 0) {
            set.emplace();
            set->spawn(future::lazy([ran] {
                ran->store(true);
                return 7;
            }));
            state = 1;
        }
        if (state == 1) {
            if (!ran->load()) {
                cx.waker().wake_by_ref();
                return pending;  // let the task finish
            }
            while (rx.poll_recv(cx).is_ready()) {
            }
            EXPECT_FALSE(coop::has_budget_remaining());
            state = 2;
        }
        auto p = set->poll_join_next(cx);
        if (p.is_pending()) return pending;
        auto out = p.take();
        return ready(out && out->is_ok() ? out->value() : -1);
    }));
    EXPECT_EQ(got, 7);
}

TEST_P(Coop, UnconstrainedRunsItsFutureWithoutABudget) {
    Runtime rt = make_runtime(GetParam());
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    FirstPoll seen;
    rt.block_on(unconstrained(drain_once(rx, seen)).map([] { return 0; }));
    EXPECT_FALSE(seen.saw_pending);
    EXPECT_EQ(seen.ready_before_pending, 1000);
    EXPECT_TRUE(seen.budget_left);
}

TEST_P(Coop, UnconstrainedGivesTheOuterBudgetBackUnspent) {
    Runtime rt = make_runtime(GetParam());
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    int left_after = rt.block_on(future::poll_fn([&](Context& cx) -> Poll<int> {
        auto inner = future::poll_fn([&](Context& icx) -> Poll<void> {
            for (int i = 0; i < 500; ++i) EXPECT_TRUE(rx.poll_recv(icx).is_ready());
            return ready();
        });
        EXPECT_TRUE(unconstrained(std::move(inner)).poll(cx).is_ready());
        // The outer budget is whole: 128 more receives before a Pending.
        int n = 0;
        while (rx.poll_recv(cx).is_ready()) ++n;
        return ready(n);
    }));
    EXPECT_EQ(left_after, coop::kTaskBudget);
}

TEST_P(Coop, ConsumeBudgetIsReadyWhileBudgetRemains) {
    Runtime rt = make_runtime(GetParam());
    int pendings = rt.block_on(future::poll_fn([n = 0, f = consume_budget()](Context& cx) mutable -> Poll<int> {
        if (f.poll(cx).is_pending()) ++n;
        else return ready(n);
        return pending;
    }));
    EXPECT_EQ(pendings, 0);
}

TEST_P(Coop, ConsumeBudgetYieldsOnceWhenTheBudgetIsSpent) {
    Runtime rt = make_runtime(GetParam());
    struct Seen {
        int ready_first_poll = 0;
        int pendings = 0;
    };
    Seen r = rt.block_on(
        future::poll_fn([r = Seen{}, f = std::optional<ConsumeBudget>()](Context& cx) mutable -> Poll<Seen> {
            if (!f) {
                // 200 units asked for in one poll: 128 are granted.
                for (int i = 0; i < 200; ++i) {
                    ConsumeBudget c = consume_budget();
                    if (c.poll(cx).is_pending()) break;
                    ++r.ready_first_poll;
                }
                f.emplace(consume_budget());
            }
            if (f->poll(cx).is_pending()) {
                ++r.pendings;
                return pending;  // woken: the next poll has a fresh budget
            }
            return ready(r);
        }));
    EXPECT_EQ(r.ready_first_poll, coop::kTaskBudget);
    EXPECT_EQ(r.pendings, 1);
}

TEST(CoopOutsideARuntime, ConsumeBudgetIsAlwaysReady) {
    Context cx(noop_waker_ref());
    for (int i = 0; i < 1000; ++i) {
        ConsumeBudget c = consume_budget();
        ASSERT_TRUE(c.poll(cx).is_ready());
    }
}

INSTANTIATE_TEST_SUITE_P(BothFlavours, Coop, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });
