// Semaphore: Tokio's semantics (permits, fairness, close, owned permits),
// waiters destroyed mid-way, waker balance, and a multi-thread stress.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
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

TEST(SyncSemaphore, AcquireIsReadyWhilePermitsAreFreeAndThePermitGivesThemBack) {
    Semaphore sem(2);
    auto a = sem.acquire();
    auto p = poll_once(a);
    ASSERT_TRUE(p.is_ready());
    ASSERT_TRUE(p.value().is_ok());
    EXPECT_EQ(sem.available_permits(), 1u);
    {
        SemaphorePermit permit = p.take().value();
        EXPECT_EQ(permit.num_permits(), 1u);
    }
    EXPECT_EQ(sem.available_permits(), 2u);
}

TEST(SyncSemaphore, TryAcquireReportsNoPermitsAndClosed) {
    Semaphore sem(1);
    auto p1 = sem.try_acquire();
    ASSERT_TRUE(p1.is_ok());
    auto p2 = sem.try_acquire();
    ASSERT_TRUE(p2.is_err());
    EXPECT_EQ(p2.error(), TryAcquireError::NoPermits);
    sem.close();
    EXPECT_TRUE(sem.is_closed());
    auto p3 = sem.try_acquire_many(0);
    ASSERT_TRUE(p3.is_err());
    EXPECT_EQ(p3.error(), TryAcquireError::Closed);
}

TEST(SyncSemaphore, ForgottenPermitsStayOut) {
    Semaphore sem(3);
    {
        auto p = sem.try_acquire_many(2);
        ASSERT_TRUE(p.is_ok());
        p.value().forget();
    }
    EXPECT_EQ(sem.available_permits(), 1u);
}

TEST(SyncSemaphore, AddPermitsWakesTheWaiter) {
    CountingWaker cw;
    Semaphore sem(0);
    {
        auto a = sem.acquire();
        EXPECT_TRUE(poll_once(a, cw).is_pending());
        EXPECT_EQ(cw.wakes_total(), 0u);
        sem.add_permits(1);
        EXPECT_EQ(cw.wakes_total(), 1u);
        EXPECT_EQ(sem.available_permits(), 0u);  // handed straight to the waiter
        auto p = poll_once(a, cw);
        ASSERT_TRUE(p.is_ready());
        EXPECT_TRUE(p.value().is_ok());
    }
    EXPECT_EQ(sem.available_permits(), 1u);
    EXPECT_TRUE(cw.balanced());
}

TEST(SyncSemaphore, WaitersAreServedInFifoOrder) {
    CountingWaker cw1, cw2, cw3;
    Semaphore sem(0);
    auto a1 = sem.acquire();
    auto a2 = sem.acquire();
    auto a3 = sem.acquire();
    EXPECT_TRUE(poll_once(a1, cw1).is_pending());
    EXPECT_TRUE(poll_once(a2, cw2).is_pending());
    EXPECT_TRUE(poll_once(a3, cw3).is_pending());
    sem.add_permits(1);
    EXPECT_EQ(cw1.wakes_total(), 1u);
    EXPECT_EQ(cw2.wakes_total(), 0u);
    EXPECT_TRUE(poll_once(a2, cw2).is_pending());
    EXPECT_TRUE(poll_once(a3, cw3).is_pending());
    sem.add_permits(1);
    EXPECT_EQ(cw2.wakes_total(), 1u);
    EXPECT_EQ(cw3.wakes_total(), 0u);
    auto p1 = poll_once(a1, cw1);
    auto p2 = poll_once(a2, cw2);
    EXPECT_TRUE(p1.is_ready());
    EXPECT_TRUE(p2.is_ready());
    EXPECT_TRUE(poll_once(a3, cw3).is_pending());
}

TEST(SyncSemaphore, BigAcquireAtTheHeadHoldsBackLaterSmallOnes) {
    CountingWaker cw_big, cw_small;
    Semaphore sem(1);
    auto big = sem.acquire_many(3);
    EXPECT_TRUE(poll_once(big, cw_big).is_pending());
    // The free permit went to the big waiter as a partial share.
    EXPECT_EQ(sem.available_permits(), 0u);
    EXPECT_TRUE(sem.try_acquire().is_err());
    auto small = sem.acquire();
    EXPECT_TRUE(poll_once(small, cw_small).is_pending());
    sem.add_permits(1);
    EXPECT_EQ(cw_small.wakes_total(), 0u);
    EXPECT_TRUE(poll_once(small, cw_small).is_pending());
    sem.add_permits(2);  // one completes the big one, one for the small one
    EXPECT_EQ(cw_big.wakes_total(), 1u);
    EXPECT_EQ(cw_small.wakes_total(), 1u);
    auto pb = poll_once(big, cw_big);
    ASSERT_TRUE(pb.is_ready());
    EXPECT_EQ(pb.value().value().num_permits(), 3u);
    EXPECT_TRUE(poll_once(small, cw_small).is_ready());
}

TEST(SyncSemaphore, DestroyingAWaiterWithAPartialShareGivesItToTheNext) {
    CountingWaker cw;
    Semaphore sem(0);
    auto next = sem.acquire();
    {
        auto big = sem.acquire_many(3);
        EXPECT_TRUE(poll_once(big, cw).is_pending());
        EXPECT_TRUE(poll_once(next, cw).is_pending());
        sem.add_permits(2);  // a partial share for `big`
        EXPECT_EQ(sem.available_permits(), 0u);
    }
    // `big`'s two permits moved on: one to `next`, one is free.
    auto p = poll_once(next, cw);
    EXPECT_TRUE(p.is_ready());
    EXPECT_EQ(sem.available_permits(), 1u);
}

TEST(SyncSemaphore, DestroyingAServedButUnpolledWaiterPassesThePermitsOn) {
    CountingWaker cw1, cw2;
    Semaphore sem(0);
    auto second = sem.acquire();
    {
        auto first = sem.acquire();
        EXPECT_TRUE(poll_once(first, cw1).is_pending());
        EXPECT_TRUE(poll_once(second, cw2).is_pending());
        sem.add_permits(1);
        EXPECT_EQ(cw1.wakes_total(), 1u);
        EXPECT_EQ(cw2.wakes_total(), 0u);
    }
    EXPECT_EQ(cw2.wakes_total(), 1u);
    auto p = poll_once(second, cw2);
    EXPECT_TRUE(p.is_ready());
    EXPECT_EQ(sem.available_permits(), 0u);
}

TEST(SyncSemaphore, CloseFailsWaitersAndLaterAcquiresButHeldPermitsStayValid) {
    CountingWaker cw;
    Semaphore sem(1);
    auto held = sem.try_acquire();
    ASSERT_TRUE(held.is_ok());
    {
        auto w = sem.acquire();
        EXPECT_TRUE(poll_once(w, cw).is_pending());
        sem.close();
        EXPECT_EQ(cw.wakes_total(), 1u);
        auto p = poll_once(w, cw);
        ASSERT_TRUE(p.is_ready());
        EXPECT_TRUE(p.value().is_err());
    }
    auto later = sem.acquire();
    auto p = poll_once(later);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value().error(), AcquireError{});
    held = Err(TryAcquireError::Closed);  // drops the permit
    EXPECT_EQ(sem.available_permits(), 1u);
    EXPECT_TRUE(cw.balanced());
}

TEST(SyncSemaphore, RepollingWithAnotherWakerReplacesTheStoredOne) {
    CountingWaker cw1, cw2;
    Semaphore sem(0);
    {
        auto a = sem.acquire();
        EXPECT_TRUE(poll_once(a, cw1).is_pending());
        EXPECT_TRUE(poll_once(a, cw2).is_pending());
        EXPECT_TRUE(cw1.balanced());
        sem.add_permits(1);
        EXPECT_EQ(cw1.wakes_total(), 0u);
        EXPECT_EQ(cw2.wakes_total(), 1u);
    }
    EXPECT_TRUE(cw1.balanced());
    EXPECT_TRUE(cw2.balanced());
}

TEST(SyncSemaphore, DestroyedWaitersReleaseTheirWakers) {
    CountingWaker cw;
    Semaphore sem(0);
    {
        std::vector<std::optional<SemaphoreAcquire>> ws;
        ws.reserve(40);  // polled futures must not move
        for (int i = 0; i < 40; ++i) {
            ws.emplace_back(sem.acquire());
            EXPECT_TRUE(poll_once(*ws.back(), cw).is_pending());
        }
        EXPECT_EQ(cw.live(), 40);
        for (int i = 0; i < 40; i += 2) ws[i].reset();
        EXPECT_EQ(cw.live(), 20);
        sem.add_permits(100);  // more than a WakeList batch of wakers at once
        EXPECT_EQ(cw.wakes_total(), 20u);
    }
    EXPECT_TRUE(cw.balanced());
    EXPECT_EQ(sem.available_permits(), 100u);
}

TEST(SyncSemaphore, PermitsMergeAndSplit) {
    Semaphore sem(5);
    auto a = sem.try_acquire_many(2).value();
    auto b = sem.try_acquire_many(3).value();
    a.merge(std::move(b));
    EXPECT_EQ(a.num_permits(), 5u);
    EXPECT_EQ(b.num_permits(), 0u);
    auto c = a.split(4);
    ASSERT_TRUE(c.has_value());
    EXPECT_FALSE(a.split(2).has_value());
    c.reset();
    EXPECT_EQ(sem.available_permits(), 4u);
}

TEST(SyncSemaphore, ForgetPermitsRemovesUpToNAvailablePermits) {
    Semaphore sem(5);
    EXPECT_EQ(sem.forget_permits(0), 0u);
    EXPECT_EQ(sem.forget_permits(2), 2u);
    EXPECT_EQ(sem.available_permits(), 3u);
    {
        auto held = sem.try_acquire().unwrap();
        EXPECT_EQ(sem.forget_permits(10), 2u);  // only what is free
        EXPECT_EQ(sem.available_permits(), 0u);
    }
    EXPECT_EQ(sem.available_permits(), 1u);  // the held permit came back
    sem.close();
    EXPECT_EQ(sem.forget_permits(1), 1u);  // as in Tokio: also once closed
    EXPECT_TRUE(sem.is_closed());
    EXPECT_EQ(sem.available_permits(), 0u);
}

TEST(SyncSemaphore, ForgetPermitsLeavesAWaitersShareAndTheQueueAlone) {
    CountingWaker cw;
    Semaphore sem(1);
    auto big = sem.acquire_many(3);
    EXPECT_TRUE(poll_once(big, cw).is_pending());  // holds the free permit as a share
    EXPECT_EQ(sem.forget_permits(1), 0u);
    sem.add_permits(2);  // still reaches the queued waiter
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_once(big, cw);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take().unwrap().num_permits(), 3u);
    EXPECT_EQ(sem.available_permits(), 3u);
}

// Tokio panics here ("merging permits from different semaphore instances");
// pollen throws std::logic_error in every build, as for its other misuse,
// and leaves both permits as they were.
TEST(SyncSemaphore, MergingPermitsOfDifferentSemaphoresThrowsAndKeepsBoth) {
    Semaphore a(2), b(2);
    {
        auto pa = a.try_acquire().unwrap();
        auto pb = b.try_acquire().unwrap();
        try {
            pa.merge(std::move(pb));
            ADD_FAILURE() << "merge did not throw";
        } catch (const std::logic_error& e) {
            EXPECT_NE(std::string(e.what()).find("merging permits from different semaphores"), std::string::npos);
        }
        EXPECT_EQ(pa.num_permits(), 1u);
        EXPECT_EQ(pb.num_permits(), 1u);
    }
    EXPECT_EQ(a.available_permits(), 2u);
    EXPECT_EQ(b.available_permits(), 2u);
    auto sa = std::make_shared<Semaphore>(2), sb = std::make_shared<Semaphore>(2);
    {
        auto pa = try_acquire_owned(sa).unwrap();
        auto pb = try_acquire_owned(sb).unwrap();
        EXPECT_THROW(pa.merge(std::move(pb)), std::logic_error);
        EXPECT_EQ(pa.num_permits(), 1u);
        EXPECT_EQ(pb.num_permits(), 1u);
        auto pa2 = try_acquire_owned(sa).unwrap();
        pa.merge(std::move(pa2));  // the same semaphore: fine
        EXPECT_EQ(pa.num_permits(), 2u);
    }
    EXPECT_EQ(sa->available_permits(), 2u);
    EXPECT_EQ(sb->available_permits(), 2u);
}

// Releasing permits to waiters wakes them in batches; a waker that throws
// neither loses the permits meant for later batches nor strands a waiter.
TEST(SyncSemaphore, AWakerThrowingWhenPermitsAreAddedStillServesEveryWaiter) {
    constexpr int kWaiters = 40;  // two batches of wakes
    CountingWaker cw;
    ThrowingWaker bad("bad");
    Semaphore sem(0);
    {
        std::vector<std::optional<SemaphoreAcquire>> ws;
        ws.reserve(kWaiters);
        for (int i = 0; i < kWaiters; ++i) {
            ws.emplace_back(sem.acquire());
            Waker w = i == 0 ? bad.waker() : cw.waker();
            EXPECT_TRUE(poll_once(*ws.back(), w).is_pending());
        }
        EXPECT_THROW(sem.add_permits(kWaiters + 1), WakeThrew);
        EXPECT_EQ(cw.wakes_total(), static_cast<std::size_t>(kWaiters - 1));
        EXPECT_EQ(sem.available_permits(), 1u);
        std::vector<SemaphorePermit> held;
        for (auto& w : ws) {
            auto p = poll_once(*w, cw);
            ASSERT_TRUE(p.is_ready());
            held.push_back(p.take().unwrap());
        }
    }
    EXPECT_TRUE(cw.balanced());
    EXPECT_EQ(bad.live(), 0);
    EXPECT_EQ(sem.available_permits(), static_cast<std::size_t>(kWaiters + 1));
}

TEST(SyncSemaphore, AWakerThrowingInCloseStillFailsEveryWaiter) {
    constexpr int kWaiters = 40;
    CountingWaker cw;
    ThrowingWaker bad("bad");
    Semaphore sem(0);
    {
        std::vector<std::optional<SemaphoreAcquire>> ws;
        ws.reserve(kWaiters);
        for (int i = 0; i < kWaiters; ++i) {
            ws.emplace_back(sem.acquire());
            Waker w = i == 0 ? bad.waker() : cw.waker();
            EXPECT_TRUE(poll_once(*ws.back(), w).is_pending());
        }
        EXPECT_THROW(sem.close(), WakeThrew);
        EXPECT_EQ(cw.wakes_total(), static_cast<std::size_t>(kWaiters - 1));
        for (auto& w : ws) {
            auto p = poll_once(*w, cw);
            ASSERT_TRUE(p.is_ready());
            EXPECT_TRUE(p.take().is_err());
        }
    }
    EXPECT_TRUE(cw.balanced());
    EXPECT_EQ(bad.live(), 0);
}

TEST(SyncSemaphore, OwnedPermitKeepsTheSemaphoreAlive) {
    auto sem = std::make_shared<Semaphore>(1);
    std::weak_ptr<Semaphore> weak = sem;
    std::optional<SemaphoreAcquireOwned> fut(acquire_owned(sem));
    auto p = poll_once(*fut);
    ASSERT_TRUE(p.is_ready());
    OwnedSemaphorePermit permit = p.take().value();
    fut.reset();
    EXPECT_TRUE(try_acquire_owned(sem).is_err());
    sem.reset();
    EXPECT_FALSE(weak.expired());
    EXPECT_EQ(permit.semaphore()->available_permits(), 0u);
    {
        OwnedSemaphorePermit moved = std::move(permit);
        EXPECT_EQ(moved.num_permits(), 1u);
    }
    EXPECT_TRUE(weak.expired());
}

TEST(SyncSemaphore, AcquireDrawsOnTheCooperativeBudget) {
    Semaphore sem(10);
    CountingWaker cw;
    coop::BudgetScope scope(1);
    auto a = sem.acquire();
    EXPECT_TRUE(poll_once(a, cw).is_ready());
    auto b = sem.acquire();
    EXPECT_TRUE(poll_once(b, cw).is_pending());  // budget spent: yields
    EXPECT_EQ(cw.wakes_total(), 1u);
}

// ------------------------------------------------------------------ stress

/// Acquires 1 or 2 permits `rounds` times, checks the bound, and yields
/// while holding them now and then.
class SemUser : public FutureExt<SemUser> {
public:
    using Output = void;
    SemUser(std::shared_ptr<Semaphore> s, std::shared_ptr<std::atomic<long>> in_use, std::atomic<long>* max_seen,
            int rounds, int seed)
        : sem_(std::move(s)), in_use_(std::move(in_use)), max_seen_(max_seen), rounds_(rounds), seed_(seed) {}
    SemUser(SemUser&& o) noexcept
        : sem_(std::move(o.sem_)), in_use_(std::move(o.in_use_)), max_seen_(o.max_seen_), rounds_(o.rounds_),
          seed_(o.seed_) {}

    Poll<void> poll(Context& cx) {
        for (;;) {
            if (permit_) {
                if (yield_ && yield_->poll(cx).is_pending()) return pending;
                yield_.reset();
                in_use_->fetch_sub(permit_->num_permits());
                permit_.reset();
                ++done_;
            }
            if (done_ == rounds_) return ready();
            std::uint32_t n = ((done_ + seed_) % 3 == 0) ? 2 : 1;
            if (!acquire_) acquire_.emplace(sem_->acquire_many(n));
            auto p = acquire_->poll(cx);
            if (p.is_pending()) return pending;
            permit_.emplace(p.take().value());
            acquire_.reset();
            long now = in_use_->fetch_add(n) + n;
            long prev = max_seen_->load();
            while (now > prev && !max_seen_->compare_exchange_weak(prev, now)) {
            }
            if (done_ % 16 == 0) yield_.emplace(yield_now());
        }
    }

private:
    std::shared_ptr<Semaphore> sem_;
    std::shared_ptr<std::atomic<long>> in_use_;
    std::atomic<long>* max_seen_;
    int rounds_, seed_, done_ = 0;
    std::optional<SemaphoreAcquire> acquire_;
    std::optional<SemaphorePermit> permit_;
    std::optional<YieldNow> yield_;
};

TEST(SyncSemaphore, StressManyTasksNeverExceedThePermits) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto sem = std::make_shared<Semaphore>(3);
    auto in_use = std::make_shared<std::atomic<long>>(0);
    std::atomic<long> max_seen{0};
    constexpr int kTasks = 8, kRounds = 12'500;  // 100,000 acquisitions
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < kTasks; ++i) hs.push_back(rt.spawn(SemUser(sem, in_use, &max_seen, kRounds, i)));
    for (auto& h : hs) EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
    EXPECT_LE(max_seen.load(), 3);
    EXPECT_EQ(in_use->load(), 0);
    EXPECT_EQ(sem->available_permits(), 3u);
}

}  // namespace
