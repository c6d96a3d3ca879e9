// Notify: notify_one's stored permit and FIFO wake, notify_waiters' generation
// rule, forwarding on destruction, enable(), waker balance, and a stress.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/lock_step.hpp"
#include "support/throwing_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;
using pollen::test::ThrowingWaker;
using pollen::test::WakeThrew;

namespace {

TEST(SyncNotify, NotifyOneWithNobodyWaitingStoresOnePermit) {
    Notify n;
    n.notify_one();
    n.notify_one();  // still one permit
    auto a = n.notified();
    EXPECT_TRUE(poll_once(a).is_ready());
    auto b = n.notified();
    EXPECT_TRUE(poll_once(b).is_pending());
}

TEST(SyncNotify, NotifyOneWakesTheOldestWaiterAndNotifyLastTheNewest) {
    CountingWaker cw1, cw2, cw3;
    Notify n;
    auto a = n.notified();
    auto b = n.notified();
    auto c = n.notified();
    EXPECT_TRUE(poll_once(a, cw1).is_pending());
    EXPECT_TRUE(poll_once(b, cw2).is_pending());
    EXPECT_TRUE(poll_once(c, cw3).is_pending());
    n.notify_one();
    EXPECT_EQ(cw1.wakes_total(), 1u);
    EXPECT_EQ(cw2.wakes_total() + cw3.wakes_total(), 0u);
    n.notify_last();
    EXPECT_EQ(cw3.wakes_total(), 1u);
    EXPECT_EQ(cw2.wakes_total(), 0u);
    EXPECT_TRUE(poll_once(a, cw1).is_ready());
    EXPECT_TRUE(poll_once(b, cw2).is_pending());
    EXPECT_TRUE(poll_once(c, cw3).is_ready());
}

TEST(SyncNotify, NotifyWaitersWakesEveryWaiterAndStoresNoPermit) {
    CountingWaker cw;
    Notify n;
    {
        auto a = n.notified();
        auto b = n.notified();
        EXPECT_TRUE(poll_once(a, cw).is_pending());
        EXPECT_TRUE(poll_once(b, cw).is_pending());
        n.notify_waiters();
        EXPECT_EQ(cw.wakes_total(), 2u);
        EXPECT_TRUE(poll_once(a, cw).is_ready());
        EXPECT_TRUE(poll_once(b, cw).is_ready());
    }
    auto later = n.notified();
    EXPECT_TRUE(poll_once(later, cw).is_pending());
    EXPECT_EQ(cw.live(), 1);
}

TEST(SyncNotify, NotifiedCreatedBeforeNotifyWaitersCompletesEvenIfPolledAfter) {
    Notify n;
    auto before = n.notified();
    n.notify_waiters();
    auto after = n.notified();
    EXPECT_TRUE(poll_once(before).is_ready());
    EXPECT_TRUE(poll_once(after).is_pending());
}

TEST(SyncNotify, NotifyWaitersKeepsAStoredPermit) {
    Notify n;
    n.notify_one();
    n.notify_waiters();
    auto a = n.notified();
    EXPECT_TRUE(poll_once(a).is_ready());
}

// notify_waiters completes a Notified created before it by the generation
// alone (Tokio checks the generation before the permit): the permit stored
// by notify_one stays for the next notified(), whichever call came first.
TEST(SyncNotify, NotifiedCreatedBeforeNotifyWaitersLeavesTheStoredPermitToTheNextOne) {
    Notify n;
    {
        auto before = n.notified();
        n.notify_one();  // nobody queued: the permit
        n.notify_waiters();
        EXPECT_TRUE(poll_once(before).is_ready());
        auto next = n.notified();
        EXPECT_TRUE(poll_once(next).is_ready());  // took the permit
        auto third = n.notified();
        EXPECT_TRUE(poll_once(third).is_pending());
    }
    {
        auto before = n.notified();
        n.notify_waiters();
        n.notify_one();
        EXPECT_TRUE(before.enable());  // enable() follows the same rule as a poll
        auto next = n.notified();
        EXPECT_TRUE(poll_once(next).is_ready());
    }
}

// A waker that throws inside notify_waiters (Rust: a panicking waker) stops
// nothing: every other waiter is woken, across batches, the list is left
// consistent, and the first exception reaches the caller once it is.
TEST(SyncNotify, AWakerThrowingInNotifyWaitersStillWakesTheOthersThenPropagates) {
    constexpr int kWaiters = 70;  // three batches of wakes
    CountingWaker cw;
    ThrowingWaker first("first"), second("second");
    Notify n;
    {
        std::vector<std::optional<Notified>> ws;
        ws.reserve(kWaiters);
        for (int i = 0; i < kWaiters; ++i) {
            ws.emplace_back(n.notified());
            Waker w = i == 0 ? first.waker() : i == 40 ? second.waker() : cw.waker();
            EXPECT_TRUE(poll_once(*ws.back(), w).is_pending());
        }
        try {
            n.notify_waiters();
            ADD_FAILURE() << "the waker's exception did not propagate";
        } catch (const WakeThrew& e) {
            EXPECT_STREQ(e.what(), "first");
        }
        EXPECT_EQ(cw.wakes_total(), static_cast<std::size_t>(kWaiters - 2));
        EXPECT_EQ(first.wake_attempts(), 1u);
        EXPECT_EQ(second.wake_attempts(), 1u);
        for (auto& w : ws) EXPECT_TRUE(poll_once(*w, cw).is_ready());
    }
    EXPECT_TRUE(cw.balanced());
    EXPECT_EQ(first.live(), 0);
    EXPECT_EQ(second.live(), 0);
    // Nothing stored, and the next waiter queues and is woken as usual.
    auto later = n.notified();
    EXPECT_TRUE(poll_once(later, cw).is_pending());
    n.notify_one();
    EXPECT_EQ(cw.wakes_total(), static_cast<std::size_t>(kWaiters - 1));
    EXPECT_TRUE(poll_once(later, cw).is_ready());
}

TEST(SyncNotify, DestroyingAWaiterPickedByNotifyOneForwardsTheNotification) {
    CountingWaker cw1, cw2;
    Notify n;
    auto b = n.notified();
    {
        auto a = n.notified();
        EXPECT_TRUE(poll_once(a, cw1).is_pending());
        EXPECT_TRUE(poll_once(b, cw2).is_pending());
        n.notify_one();
        EXPECT_EQ(cw1.wakes_total(), 1u);
    }
    EXPECT_EQ(cw2.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(b, cw2).is_ready());
    EXPECT_TRUE(cw1.balanced());
}

TEST(SyncNotify, DestroyingTheOnlyPickedWaiterStoresThePermit) {
    CountingWaker cw;
    Notify n;
    {
        auto a = n.notified();
        EXPECT_TRUE(poll_once(a, cw).is_pending());
        n.notify_one();
    }
    auto b = n.notified();
    EXPECT_TRUE(poll_once(b, cw).is_ready());
    EXPECT_TRUE(cw.balanced());
}

TEST(SyncNotify, DestroyingAWaiterNotifiedByNotifyWaitersForwardsNothing) {
    CountingWaker cw;
    Notify n;
    auto b = n.notified();
    {
        auto a = n.notified();
        EXPECT_TRUE(poll_once(a, cw).is_pending());
        n.notify_waiters();
    }
    EXPECT_TRUE(poll_once(b, cw).is_ready());  // created before the call
    auto c = n.notified();
    EXPECT_TRUE(poll_once(c, cw).is_pending());
}

TEST(SyncNotify, EnableQueuesWithoutAWakerSoNotifyOnePicksIt) {
    Notify n;
    auto a = n.notified();
    auto b = n.notified();
    EXPECT_FALSE(a.enable());
    n.notify_one();  // goes to the enabled `a`, not into a permit
    EXPECT_TRUE(poll_once(b).is_pending());
    EXPECT_TRUE(poll_once(a).is_ready());
}

TEST(SyncNotify, ManyWaitersAreWokenInBatchesAndReleaseTheirWakers) {
    CountingWaker cw;
    Notify n;
    {
        std::vector<std::optional<Notified>> ws;
        ws.reserve(100);
        for (int i = 0; i < 100; ++i) {
            ws.emplace_back(n.notified());
            EXPECT_TRUE(poll_once(*ws.back(), cw).is_pending());
        }
        n.notify_waiters();
        EXPECT_EQ(cw.wakes_total(), 100u);
        for (auto& w : ws) EXPECT_TRUE(poll_once(*w, cw).is_ready());
    }
    EXPECT_TRUE(cw.balanced());
}

// ------------------------------------------------------------------ stress

struct Shared {
    Notify notify;
    std::atomic<long> available{0};
    std::atomic<long> consumed{0};
    std::atomic<bool> done{false};
    long total = 0;
};

/// Takes items until all are consumed; waits on notified() when none is there.
class Consumer : public FutureExt<Consumer> {
public:
    using Output = long;
    explicit Consumer(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
    Consumer(Consumer&& o) noexcept : s_(std::move(o.s_)) {}

    Poll<long> poll(Context& cx) {
        for (;;) {
            // Created before the checks, so a notify_waiters after them completes it.
            if (!n_) n_.emplace(s_->notify.notified());
            long a = s_->available.load();
            if (a > 0) {
                if (s_->available.compare_exchange_weak(a, a - 1)) {
                    ++got_;
                    if (s_->consumed.fetch_add(1) + 1 == s_->total) {
                        s_->done.store(true);
                        s_->notify.notify_waiters();
                    }
                    n_.reset();  // may forward a notify_one it was picked for
                }
                continue;
            }
            if (s_->done.load()) return ready(got_);
            if (n_->poll(cx).is_pending()) return pending;
            n_.reset();
        }
    }

private:
    std::shared_ptr<Shared> s_;
    long got_ = 0;
    std::optional<Notified> n_;
};

/// Adds `items` one by one, each followed by notify_one; yields now and then.
class Producer : public FutureExt<Producer> {
public:
    using Output = void;
    Producer(std::shared_ptr<Shared> s, long items) : s_(std::move(s)), items_(items) {}
    Producer(Producer&& o) noexcept : s_(std::move(o.s_)), items_(o.items_) {}

    Poll<void> poll(Context& cx) {
        while (items_ > 0) {
            if (y_) {
                if (y_->poll(cx).is_pending()) return pending;
                y_.reset();
            }
            s_->available.fetch_add(1);
            s_->notify.notify_one();
            if (--items_ % 32 == 0) y_.emplace(yield_now());
        }
        return ready();
    }

private:
    std::shared_ptr<Shared> s_;
    long items_;
    std::optional<YieldNow> y_;
};

TEST(SyncNotify, StressNoNotificationIsLostBetweenProducersAndConsumers) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto s = std::make_shared<Shared>();
    constexpr int kProducers = 4, kConsumers = 4;
    constexpr long kItems = 25'000;  // 100,000 notify_one in all
    s->total = kProducers * kItems;
    std::vector<JoinHandle<long>> cs;
    std::vector<JoinHandle<void>> ps;
    for (int i = 0; i < kConsumers; ++i) cs.push_back(rt.spawn(Consumer(s)));
    for (int i = 0; i < kProducers; ++i) ps.push_back(rt.spawn(Producer(s, kItems)));
    for (auto& h : ps) EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
    long sum = 0;
    for (auto& h : cs) {
        auto r = rt.block_on(std::move(h));
        ASSERT_TRUE(r.is_ok());
        sum += *r;
    }
    EXPECT_EQ(sum, s->total);
}

/// `rounds` times: waits on notified(), counting the rounds it saw.
class Waiter : public FutureExt<Waiter> {
public:
    using Output = void;
    Waiter(std::shared_ptr<Notify> n, std::shared_ptr<std::atomic<int>> finished, int rounds)
        : n_(std::move(n)), finished_(std::move(finished)), rounds_(rounds) {}
    Waiter(Waiter&& o) noexcept : n_(std::move(o.n_)), finished_(std::move(o.finished_)), rounds_(o.rounds_) {}
    Poll<void> poll(Context& cx) {
        while (rounds_ > 0) {
            if (!w_) w_.emplace(n_->notified());
            if (w_->poll(cx).is_pending()) return pending;
            w_.reset();
            --rounds_;
        }
        finished_->fetch_add(1);
        return ready();
    }

private:
    std::shared_ptr<Notify> n_;
    std::shared_ptr<std::atomic<int>> finished_;
    int rounds_;
    std::optional<Notified> w_;
};

/// notify_waiters with a yield in between, until every Waiter finished.
class Broadcaster : public FutureExt<Broadcaster> {
public:
    using Output = long;
    Broadcaster(std::shared_ptr<Notify> n, std::shared_ptr<std::atomic<int>> finished, int tasks)
        : n_(std::move(n)), finished_(std::move(finished)), tasks_(tasks) {}
    Poll<long> poll(Context& cx) {
        for (;;) {
            if (y_) {
                if (y_->poll(cx).is_pending()) return pending;
                y_.reset();
            }
            if (finished_->load() == tasks_) return ready(calls_);
            n_->notify_waiters();
            ++calls_;
            y_.emplace(yield_now());
        }
    }

private:
    std::shared_ptr<Notify> n_;
    std::shared_ptr<std::atomic<int>> finished_;
    int tasks_;
    long calls_ = 0;
    std::optional<YieldNow> y_;
};

// notify_waiters moves the generation without the lock when nobody is
// queued, so a first poll racing with it must notice the move even after it
// has taken the lock: a future created before the call either completes at
// that poll or is woken, never left queued with nobody to wake it.
TEST(SyncNotify, NotifyWaitersRacingAFirstPollNeverStrandsTheFuture) {
    Notify n;
    constexpr int kRounds = 100'000;
    std::atomic<int> created{0}, called{0};
    std::thread caller([&] {
        for (int i = 1; i <= kRounds; ++i) {
            pollen::test::wait_at_least(created, i);
            n.notify_waiters();  // races the first poll below
            pollen::test::publish(called, i);
        }
    });
    int stranded = 0;
    for (int i = 1; i <= kRounds; ++i) {
        CountingWaker cw;
        auto f = n.notified();
        pollen::test::publish(created, i);
        bool done = poll_once(f, cw).is_ready();
        pollen::test::wait_at_least(called, i);
        // The call came after the future was created: it is Ready now, and
        // if its first poll queued it, that call woke it.
        if (!done && cw.wakes_total() == 0) ++stranded;
        EXPECT_TRUE(done || poll_once(f, cw).is_ready());
    }
    caller.join();
    EXPECT_EQ(stranded, 0);
}

TEST(SyncNotify, StressNotifyWaitersReleasesEveryRound) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto n = std::make_shared<Notify>();
    auto finished = std::make_shared<std::atomic<int>>(0);
    constexpr int kTasks = 10, kRounds = 10'000;  // 100,000 completed waits
    std::vector<JoinHandle<void>> hs;
    for (int i = 0; i < kTasks; ++i) hs.push_back(rt.spawn(Waiter(n, finished, kRounds)));
    // A task too, so the waiters it wakes are queued on its own worker.
    auto calls = rt.block_on(rt.spawn(Broadcaster(n, finished, kTasks)));
    for (auto& h : hs) EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
    ASSERT_TRUE(calls.is_ok());
    EXPECT_GE(*calls, kRounds);
}

}  // namespace
