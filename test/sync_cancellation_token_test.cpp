// CancellationToken: cancel and cancelled(), the parent/child tree
// (downwards only, detaching on drop), DropGuard, waker balance, and a stress.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/probe_future.hpp"
#include "support/throwing_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;
using pollen::test::Probe;
using pollen::test::ProbeLog;
using pollen::test::ThrowingWaker;
using pollen::test::WakeThrew;

namespace {

TEST(SyncCancellationToken, CancelWakesTheWaitersAndIsIdempotent) {
    CountingWaker cw;
    {
        CancellationToken t;
        auto a = t.cancelled();
        auto b = t.cancelled();
        EXPECT_TRUE(poll_once(a, cw).is_pending());
        EXPECT_TRUE(poll_once(b, cw).is_pending());
        EXPECT_FALSE(t.is_cancelled());
        t.cancel();
        t.cancel();
        EXPECT_TRUE(t.is_cancelled());
        EXPECT_EQ(cw.wakes_total(), 2u);
        EXPECT_TRUE(poll_once(a, cw).is_ready());
        EXPECT_TRUE(poll_once(b, cw).is_ready());
        auto late = t.cancelled();
        EXPECT_TRUE(poll_once(late, cw).is_ready());
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(SyncCancellationToken, CopiesShareOneToken) {
    CancellationToken t;
    CancellationToken copy = t;
    copy.cancel();
    EXPECT_TRUE(t.is_cancelled());
    EXPECT_TRUE(copy == t);
}

TEST(SyncCancellationToken, CancellingAParentCancelsItsChildrenNotViceVersa) {
    CountingWaker cw;
    CancellationToken parent;
    CancellationToken child = parent.child_token();
    CancellationToken sibling = parent.child_token();
    CancellationToken grandchild = child.child_token();
    auto w = grandchild.cancelled();
    EXPECT_TRUE(poll_once(w, cw).is_pending());
    sibling.cancel();
    EXPECT_FALSE(parent.is_cancelled());
    EXPECT_FALSE(child.is_cancelled());
    parent.cancel();
    EXPECT_TRUE(child.is_cancelled());
    EXPECT_TRUE(grandchild.is_cancelled());
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(w, cw).is_ready());
}

TEST(SyncCancellationToken, AChildOfACancelledTokenStartsCancelled) {
    CancellationToken t;
    t.cancel();
    EXPECT_TRUE(t.child_token().is_cancelled());
}

TEST(SyncCancellationToken, DroppingAMiddleTokenKeepsTheGrandchildUnderTheRoot) {
    CancellationToken root;
    std::optional<CancellationToken> middle(root.child_token());
    CancellationToken leaf = middle->child_token();
    middle.reset();
    EXPECT_FALSE(leaf.is_cancelled());
    root.cancel();
    EXPECT_TRUE(leaf.is_cancelled());
}

TEST(SyncCancellationToken, DroppingAChildDetachesIt) {
    CancellationToken root;
    for (int i = 0; i < 1000; ++i) {
        CancellationToken c = root.child_token();
        (void)c;
    }
    // Nothing to observe but that cancel still works with the children gone
    // (ASan would report a dangling child).
    root.cancel();
    EXPECT_TRUE(root.is_cancelled());
}

TEST(SyncCancellationToken, TheCancelledFutureOutlivesTheTokenItCameFrom) {
    CountingWaker cw;
    CancellationToken keep;
    std::optional<WaitForCancellation> w;
    {
        CancellationToken t = keep.child_token();
        w.emplace(t.cancelled());
    }
    EXPECT_TRUE(poll_once(*w, cw).is_pending());
    keep.cancel();
    EXPECT_TRUE(poll_once(*w, cw).is_ready());
    w.reset();
    EXPECT_TRUE(cw.balanced());
}

TEST(SyncCancellationToken, ADestroyedWaiterIsUnlinked) {
    CountingWaker cw1, cw2;
    CancellationToken t;
    auto b = t.cancelled();
    {
        auto a = t.cancelled();
        EXPECT_TRUE(poll_once(a, cw1).is_pending());
        EXPECT_TRUE(poll_once(b, cw2).is_pending());
    }
    EXPECT_TRUE(cw1.balanced());
    t.cancel();
    EXPECT_EQ(cw1.wakes_total(), 0u);
    EXPECT_EQ(cw2.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(b, cw2).is_ready());
}

TEST(SyncCancellationToken, DropGuardCancelsUnlessDisarmed) {
    CancellationToken a, b;
    { auto g = a.drop_guard(); }
    EXPECT_TRUE(a.is_cancelled());
    {
        auto g = b.drop_guard();
        CancellationToken back = g.disarm();
        EXPECT_TRUE(back == b);
    }
    EXPECT_FALSE(b.is_cancelled());
}

TEST(SyncCancellationToken, RunUntilCancelledGivesTheOutputWhenTheFutureFinishesFirst) {
    ProbeLog log;
    CountingWaker cw;
    CancellationToken t;
    {
        auto f = t.run_until_cancelled(Probe<int>(log, "f", 7, 1));
        static_assert(std::is_same_v<decltype(f)::Output, std::optional<int>>);
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        auto p = poll_once(f, cw);
        ASSERT_TRUE(p.is_ready());
        EXPECT_EQ(p.take(), std::optional<int>(7));
        EXPECT_EQ(log.drops(), std::vector<std::string>{"f"});
    }
    EXPECT_TRUE(cw.balanced());  // the token's waiter is unlinked too
    EXPECT_FALSE(t.is_cancelled());
}

TEST(SyncCancellationToken, RunUntilCancelledIsNulloptOnceCancelledAndDropsTheFutureAtOnce) {
    ProbeLog log;
    CountingWaker cw;
    CancellationToken parent;
    {
        auto f = parent.child_token().run_until_cancelled(Probe<int>::never(log, "f"));
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.wakes_total(), 0u);
        parent.cancel();
        EXPECT_EQ(cw.wakes_total(), 1u);
        auto p = poll_once(f, cw);
        ASSERT_TRUE(p.is_ready());
        EXPECT_EQ(p.take(), std::nullopt);
        EXPECT_EQ(log.drops(), std::vector<std::string>{"f"});  // before f itself goes
    }
    EXPECT_TRUE(cw.balanced());
}

// tokio-util: "Calling this on an already-cancelled token directly returns None."
TEST(SyncCancellationToken, RunUntilCancelledOnACancelledTokenDoesNotPollTheFuture) {
    ProbeLog log;
    CancellationToken t;
    t.cancel();
    auto f = t.run_until_cancelled(Probe<int>(log, "f", 7));  // would be ready at once
    auto p = poll_once(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), std::nullopt);
    EXPECT_TRUE(log.polls().empty());
    EXPECT_EQ(log.drops(), std::vector<std::string>{"f"});
}

// tokio-util: after the first poll, "biased towards the future completion".
TEST(SyncCancellationToken, RunUntilCancelledPrefersTheOutputWhenBothAreReady) {
    ProbeLog log;
    CancellationToken t;
    auto f = t.run_until_cancelled(Probe<void>(log, "f", 1));
    static_assert(std::is_same_v<decltype(f)::Output, std::optional<Unit>>);
    EXPECT_TRUE(poll_once(f).is_pending());
    t.cancel();
    auto p = poll_once(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.take().has_value());
}

// The cancellation is seen even when the future spent the task's budget.
TEST(SyncCancellationToken, RunUntilCancelledSeesTheCancellationWithTheBudgetSpent) {
    CancellationToken t;
    auto f = t.run_until_cancelled(future::pending<int>());
    EXPECT_TRUE(poll_once(f).is_pending());
    t.cancel();
    coop::BudgetScope spent(0);
    auto p = poll_once(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), std::nullopt);
}

TEST(SyncCancellationToken, RunUntilCancelledEndsATaskCancelledFromAnotherThread) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    CancellationToken t;
    auto h = rt.spawn(t.run_until_cancelled(future::pending<int>()));
    std::thread canceller([t] { t.cancel(); });
    auto r = rt.block_on(std::move(h));
    canceller.join();
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(*r, std::nullopt);
}

// cancel() wakes every waiter of the subtree even when a waker throws; the
// first exception reaches the caller of cancel() once all are woken.
TEST(SyncCancellationToken, AWakerThrowingInCancelStillWakesTheOthersThenPropagates) {
    constexpr int kWaiters = 40;  // two batches of wakes
    CountingWaker cw;
    ThrowingWaker bad("bad");
    CancellationToken root;
    CancellationToken child = root.child_token();
    {
        std::vector<std::optional<WaitForCancellation>> ws;
        ws.reserve(kWaiters);
        for (int i = 0; i < kWaiters; ++i) {
            ws.emplace_back(i % 2 ? root.cancelled() : child.cancelled());
            Waker w = i == 1 ? bad.waker() : cw.waker();
            EXPECT_TRUE(poll_once(*ws.back(), w).is_pending());
        }
        EXPECT_THROW(root.cancel(), WakeThrew);
        EXPECT_TRUE(child.is_cancelled());
        EXPECT_EQ(cw.wakes_total(), static_cast<std::size_t>(kWaiters - 1));
        for (auto& w : ws) EXPECT_TRUE(poll_once(*w, cw).is_ready());
    }
    EXPECT_TRUE(cw.balanced());
    EXPECT_EQ(bad.live(), 0);
    root.cancel();  // idempotent: nothing left to wake
}

// ------------------------------------------------------------------ stress

/// For each token in turn: waits on a fresh child of it (the child is made,
/// and dropped, while cancellers run).
class ChildWaiter : public FutureExt<ChildWaiter> {
public:
    using Output = long;
    explicit ChildWaiter(std::shared_ptr<std::vector<CancellationToken>> ts) : ts_(std::move(ts)) {}
    ChildWaiter(ChildWaiter&& o) noexcept : ts_(std::move(o.ts_)) {}
    Poll<long> poll(Context& cx) {
        while (i_ < ts_->size()) {
            if (!w_) w_.emplace((*ts_)[i_].child_token().cancelled());
            if (w_->poll(cx).is_pending()) return pending;
            w_.reset();
            ++i_;
        }
        return ready(static_cast<long>(i_));
    }

private:
    std::shared_ptr<std::vector<CancellationToken>> ts_;
    std::size_t i_ = 0;
    std::optional<WaitForCancellation> w_;
};

/// Cancels every token in turn, yielding now and then.
class Canceller : public FutureExt<Canceller> {
public:
    using Output = void;
    explicit Canceller(std::shared_ptr<std::vector<CancellationToken>> ts) : ts_(std::move(ts)) {}
    Canceller(Canceller&& o) noexcept : ts_(std::move(o.ts_)) {}
    Poll<void> poll(Context& cx) {
        while (i_ < ts_->size()) {
            if (y_) {
                if (y_->poll(cx).is_pending()) return pending;
                y_.reset();
            }
            (*ts_)[i_].cancel();
            if (++i_ % 8 == 0) y_.emplace(yield_now());
        }
        return ready();
    }

private:
    std::shared_ptr<std::vector<CancellationToken>> ts_;
    std::size_t i_ = 0;
    std::optional<YieldNow> y_;
};

TEST(SyncCancellationToken, StressEveryWaiterSeesItsCancellation) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    constexpr int kTokens = 25'000;  // 2 waiters + 2 cancellers: 100,000 operations
    CancellationToken root;
    auto ts = std::make_shared<std::vector<CancellationToken>>();
    ts->reserve(kTokens);
    for (int i = 0; i < kTokens; ++i) ts->push_back(root.child_token());
    std::vector<JoinHandle<long>> ws;
    std::vector<JoinHandle<void>> cs;
    for (int i = 0; i < 2; ++i) ws.push_back(rt.spawn(ChildWaiter(ts)));
    for (int i = 0; i < 2; ++i) cs.push_back(rt.spawn(Canceller(ts)));
    for (auto& h : cs) EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
    for (auto& h : ws) {
        auto r = rt.block_on(std::move(h));
        ASSERT_TRUE(r.is_ok());
        EXPECT_EQ(*r, kTokens);
    }
    EXPECT_FALSE(root.is_cancelled());
}

}  // namespace
