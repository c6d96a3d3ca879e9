// Barrier: one leader per round, reuse across rounds, waiters destroyed
// mid-way, waker balance, and a multi-thread stress.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/throwing_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;
using pollen::test::ThrowingWaker;
using pollen::test::WakeThrew;

namespace {

TEST(SyncBarrier, TheLastArrivalLeadsAndReleasesTheOthers) {
    CountingWaker cw;
    Barrier b(3);
    {
        auto w1 = b.wait();
        auto w2 = b.wait();
        auto w3 = b.wait();
        EXPECT_TRUE(poll_once(w1, cw).is_pending());
        EXPECT_TRUE(poll_once(w2, cw).is_pending());
        auto p3 = poll_once(w3, cw);
        ASSERT_TRUE(p3.is_ready());
        EXPECT_TRUE(p3.value().is_leader());
        EXPECT_EQ(cw.wakes_total(), 2u);
        auto p1 = poll_once(w1, cw);
        auto p2 = poll_once(w2, cw);
        ASSERT_TRUE(p1.is_ready());
        ASSERT_TRUE(p2.is_ready());
        EXPECT_FALSE(p1.value().is_leader());
        EXPECT_FALSE(p2.value().is_leader());
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(SyncBarrier, ItStartsOverAfterEachRound) {
    Barrier b(2);
    for (int round = 0; round < 3; ++round) {
        auto w1 = b.wait();
        auto w2 = b.wait();
        EXPECT_TRUE(poll_once(w1).is_pending());
        auto p2 = poll_once(w2);
        ASSERT_TRUE(p2.is_ready());
        EXPECT_TRUE(p2.value().is_leader());
        auto p1 = poll_once(w1);
        ASSERT_TRUE(p1.is_ready());
        EXPECT_FALSE(p1.value().is_leader());
    }
}

TEST(SyncBarrier, AnArrivalCountsOnlyOnceFirstPolled) {
    Barrier b(2);
    auto unpolled = b.wait();
    auto w1 = b.wait();
    auto w2 = b.wait();
    EXPECT_TRUE(poll_once(w1).is_pending());
    EXPECT_TRUE(poll_once(w2).is_ready());
}

TEST(SyncBarrier, ZeroAndOneReleaseAtOnce) {
    Barrier b0(0), b1(1);
    auto w0 = b0.wait();
    auto w1 = b1.wait();
    auto p0 = poll_once(w0);
    auto p1 = poll_once(w1);
    ASSERT_TRUE(p0.is_ready());
    ASSERT_TRUE(p1.is_ready());
    EXPECT_TRUE(p0.value().is_leader());
    EXPECT_TRUE(p1.value().is_leader());
}

TEST(SyncBarrier, DestroyedWaiterKeepsItsArrivalSoTheOthersAreNotStranded) {
    CountingWaker cw;
    Barrier b(3);
    auto w1 = b.wait();
    EXPECT_TRUE(poll_once(w1, cw).is_pending());
    {
        auto w2 = b.wait();
        EXPECT_TRUE(poll_once(w2, cw).is_pending());
    }
    auto w3 = b.wait();
    auto p3 = poll_once(w3, cw);
    ASSERT_TRUE(p3.is_ready());
    EXPECT_TRUE(p3.value().is_leader());
    EXPECT_TRUE(poll_once(w1, cw).is_ready());
}

// ------------------------------------------------------------------ stress

class Rounds : public FutureExt<Rounds> {
public:
    using Output = long;  // how often this task led
    Rounds(std::shared_ptr<Barrier> b, int rounds) : b_(std::move(b)), rounds_(rounds) {}
    Rounds(Rounds&& o) noexcept : b_(std::move(o.b_)), rounds_(o.rounds_) {}
    Poll<long> poll(Context& cx) {
        while (rounds_ > 0) {
            if (!w_) w_.emplace(b_->wait());
            auto p = w_->poll(cx);
            if (p.is_pending()) return pending;
            w_.reset();
            if (p.value().is_leader()) ++led_;
            --rounds_;
        }
        return ready(led_);
    }

private:
    std::shared_ptr<Barrier> b_;
    int rounds_;
    long led_ = 0;
    std::optional<BarrierWait> w_;
};

// The leader wakes the round; a waker that throws there does not keep the
// rest of the round waiting: all are released, then the leader's poll throws.
TEST(SyncBarrier, AWakerThrowingWhenTheLeaderReleasesTheRoundStillReleasesTheOthers) {
    constexpr int kParties = 41;  // 40 waiting: two batches of wakes
    CountingWaker cw;
    ThrowingWaker bad("bad");
    Barrier b(kParties);
    {
        std::vector<std::optional<BarrierWait>> ws;
        ws.reserve(kParties);
        for (int i = 0; i + 1 < kParties; ++i) {
            ws.emplace_back(b.wait());
            Waker w = i == 0 ? bad.waker() : cw.waker();
            EXPECT_TRUE(poll_once(*ws.back(), w).is_pending());
        }
        auto leader = b.wait();
        EXPECT_THROW((void)poll_once(leader, cw), WakeThrew);
        EXPECT_EQ(cw.wakes_total(), static_cast<std::size_t>(kParties - 2));
        for (auto& w : ws) {
            auto p = poll_once(*w, cw);
            ASSERT_TRUE(p.is_ready());
            EXPECT_FALSE(p.take().is_leader());
        }
    }
    EXPECT_TRUE(cw.balanced());
    EXPECT_EQ(bad.live(), 0);
    // The next round starts from zero arrivals.
    std::vector<std::optional<BarrierWait>> next;
    next.reserve(kParties);
    for (int i = 0; i + 1 < kParties; ++i) {
        next.emplace_back(b.wait());
        EXPECT_TRUE(poll_once(*next.back()).is_pending());
    }
    auto leader = b.wait();
    auto p = poll_once(leader);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.take().is_leader());
}

TEST(SyncBarrier, StressExactlyOneLeaderPerRound) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    constexpr int kTasks = 4, kRounds = 25'000;  // 100,000 waits
    auto b = std::make_shared<Barrier>(kTasks);
    std::vector<JoinHandle<long>> hs;
    for (int i = 0; i < kTasks; ++i) hs.push_back(rt.spawn(Rounds(b, kRounds)));
    long leaders = 0;
    for (auto& h : hs) {
        auto r = rt.block_on(std::move(h));
        ASSERT_TRUE(r.is_ok());
        leaders += *r;
    }
    EXPECT_EQ(leaders, kRounds);
}

}  // namespace
