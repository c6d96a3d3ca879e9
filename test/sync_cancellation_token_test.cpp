// CancellationToken: cancel and cancelled(), the parent/child tree
// (downwards only, detaching on drop), DropGuard, waker balance, and a stress.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

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
