// Mutex<T>: locking, fairness (FIFO hand-off, no barging), waiters destroyed
// mid-way, owned guards, waker balance, and a multi-thread stress.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

namespace {

TEST(SyncMutex, LockIsReadyWhenFreeAndTheGuardGivesAccess) {
    Mutex<std::string> m("a");
    {
        auto l = m.lock();
        auto p = poll_once(l);
        ASSERT_TRUE(p.is_ready());
        MutexGuard<std::string> g = p.take();
        *g += "b";
        EXPECT_EQ(g->size(), 2u);
        EXPECT_TRUE(m.try_lock().is_err());
    }
    auto g = m.try_lock();
    ASSERT_TRUE(g.is_ok());
    EXPECT_EQ(**g, "ab");
}

TEST(SyncMutex, UnlockHandsTheLockToTheOldestWaiter) {
    CountingWaker cw1, cw2;
    Mutex<int> m(0);
    auto held = m.try_lock();
    ASSERT_TRUE(held.is_ok());
    auto l1 = m.lock();
    auto l2 = m.lock();
    EXPECT_TRUE(poll_once(l1, cw1).is_pending());
    EXPECT_TRUE(poll_once(l2, cw2).is_pending());
    held = Err(TryLockError{});  // unlock
    EXPECT_EQ(cw1.wakes_total(), 1u);
    EXPECT_EQ(cw2.wakes_total(), 0u);
    // Handed over, not released: a newcomer cannot barge in.
    EXPECT_TRUE(m.try_lock().is_err());
    EXPECT_TRUE(poll_once(l2, cw2).is_pending());
    {
        auto p1 = poll_once(l1, cw1);
        ASSERT_TRUE(p1.is_ready());
        *p1.value() = 1;
    }
    EXPECT_EQ(cw2.wakes_total(), 1u);
    auto p2 = poll_once(l2, cw2);
    ASSERT_TRUE(p2.is_ready());
    EXPECT_EQ(*p2.value(), 1);
}

TEST(SyncMutex, MiddleWaiterDestroyedAfterBeingHandedTheLockPassesItToTheThird) {
    CountingWaker cw1, cw2, cw3;
    Mutex<int> m(0);
    auto l1 = m.lock();
    auto l3 = m.lock();
    std::unique_ptr<MutexGuard<int>> g1;
    {
        auto p1 = poll_once(l1, cw1);
        ASSERT_TRUE(p1.is_ready());
        g1 = std::make_unique<MutexGuard<int>>(p1.take());
    }
    {
        auto l2 = m.lock();
        EXPECT_TRUE(poll_once(l2, cw2).is_pending());
        EXPECT_TRUE(poll_once(l3, cw3).is_pending());
        g1.reset();  // unlocks: the lock goes to l2
        EXPECT_EQ(cw2.wakes_total(), 1u);
        EXPECT_EQ(cw3.wakes_total(), 0u);
    }
    // l2 died holding the hand-off without ever taking it: l3 gets it.
    EXPECT_EQ(cw3.wakes_total(), 1u);
    auto p3 = poll_once(l3, cw3);
    EXPECT_TRUE(p3.is_ready());
    EXPECT_TRUE(cw2.balanced());
}

TEST(SyncMutex, WaiterDestroyedWhileQueuedLeavesTheQueueIntact) {
    CountingWaker cw;
    Mutex<int> m(0);
    auto held = m.try_lock();
    auto l3 = m.lock();
    {
        auto l2 = m.lock();
        EXPECT_TRUE(poll_once(l2, cw).is_pending());
        EXPECT_TRUE(poll_once(l3, cw).is_pending());
    }
    held = Err(TryLockError{});
    auto p = poll_once(l3, cw);
    EXPECT_TRUE(p.is_ready());
}

TEST(SyncMutex, GetMutAndIntoInnerNeedNoLock) {
    Mutex<std::vector<int>> m;
    m.get_mut().push_back(7);
    std::vector<int> v = std::move(m).into_inner();
    EXPECT_EQ(v, std::vector<int>{7});
}

TEST(SyncMutex, OwnedGuardKeepsTheMutexAlive) {
    auto m = std::make_shared<Mutex<int>>(5);
    std::weak_ptr<Mutex<int>> weak = m;
    std::optional<OwnedMutexLock<int>> l(lock_owned(m));
    auto p = poll_once(*l);
    ASSERT_TRUE(p.is_ready());
    OwnedMutexGuard<int> g = p.take();
    l.reset();
    EXPECT_TRUE(try_lock_owned(m).is_err());
    m.reset();
    EXPECT_FALSE(weak.expired());
    EXPECT_EQ(*g, 5);
    { OwnedMutexGuard<int> moved = std::move(g); }
    EXPECT_TRUE(weak.expired());
}

TEST(SyncMutex, EveryWakerReferenceIsReleased) {
    CountingWaker cw;
    {
        Mutex<int> m(0);
        auto held = m.try_lock();
        std::vector<std::optional<MutexLock<int>>> ls;
        ls.reserve(50);
        for (int i = 0; i < 50; ++i) {
            ls.emplace_back(m.lock());
            EXPECT_TRUE(poll_once(*ls.back(), cw).is_pending());
        }
        held = Err(TryLockError{});
        for (auto& l : ls) {
            auto p = poll_once(*l, cw);
            EXPECT_TRUE(p.is_ready());
        }
        ls.clear();
    }
    EXPECT_TRUE(cw.balanced());
    EXPECT_EQ(cw.wakes_total(), 50u);
}

// ------------------------------------------------------------------ stress

/// `rounds` times: lock, bump both halves of the pair (a torn update would
/// show), now and then yield while holding the guard.
class Incrementer : public FutureExt<Incrementer> {
public:
    using Output = void;
    Incrementer(std::shared_ptr<Mutex<std::pair<long, long>>> m, int rounds) : m_(std::move(m)), rounds_(rounds) {}
    Incrementer(Incrementer&& o) noexcept : m_(std::move(o.m_)), rounds_(o.rounds_) {}

    Poll<void> poll(Context& cx) {
        for (;;) {
            if (guard_) {
                if (yield_ && yield_->poll(cx).is_pending()) return pending;
                yield_.reset();
                ++(*guard_)->second;
                guard_.reset();
                ++done_;
            }
            if (done_ == rounds_) return ready();
            if (!lock_) lock_.emplace(m_->lock());
            auto p = lock_->poll(cx);
            if (p.is_pending()) return pending;
            guard_.emplace(p.take());
            lock_.reset();
            if ((*guard_)->first != (*guard_)->second) bad_ = true;
            ++(*guard_)->first;
            if (done_ % 64 == 0) yield_.emplace(yield_now());
        }
    }
    bool bad_ = false;

private:
    std::shared_ptr<Mutex<std::pair<long, long>>> m_;
    int rounds_, done_ = 0;
    std::optional<MutexLock<std::pair<long, long>>> lock_;
    std::optional<MutexGuard<std::pair<long, long>>> guard_;
    std::optional<YieldNow> yield_;
};

TEST(SyncMutex, StressEightTasksOnFourWorkersLoseNoUpdate) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto m = std::make_shared<Mutex<std::pair<long, long>>>();
    constexpr int kTasks = 8, kRounds = 12'500;  // 100,000 locks
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < kTasks; ++i) hs.push_back(rt.spawn(Incrementer(m, kRounds)));
    for (auto& h : hs) EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
    auto g = m->try_lock();
    ASSERT_TRUE(g.is_ok());
    EXPECT_EQ((*g)->first, long{kTasks} * kRounds);
    EXPECT_EQ((*g)->second, long{kTasks} * kRounds);
}

}  // namespace
