// pollen::broadcast: Tokio's sync::broadcast semantics (every receiver gets
// every value, lag, close), polled by hand and under a multi-thread runtime.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/throwing_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

namespace {

/// Counts live copies: copies made per receiver, destroyed once each.
struct Counted {
    std::shared_ptr<std::atomic<int>> alive;
    int value = 0;
    Counted(std::shared_ptr<std::atomic<int>> a, int v) : alive(std::move(a)), value(v) { ++*alive; }
    Counted(const Counted& o) : alive(o.alive), value(o.value) { ++*alive; }
    Counted(Counted&& o) noexcept : alive(o.alive), value(o.value) { ++*alive; }
    Counted& operator=(const Counted&) = delete;
    ~Counted() { --*alive; }
};

/// A value whose copy throws while `fail` is set (Rust's panicking Clone).
struct FragileCopy {
    std::shared_ptr<std::atomic<bool>> fail;
    std::shared_ptr<std::atomic<int>> alive;
    int value = 0;
    FragileCopy(std::shared_ptr<std::atomic<bool>> f, std::shared_ptr<std::atomic<int>> a, int v)
        : fail(std::move(f)), alive(std::move(a)), value(v) {
        ++*alive;
    }
    FragileCopy(const FragileCopy& o) : fail(o.fail), alive(o.alive), value(o.value) {
        if (*fail) throw std::runtime_error("copy failed");
        ++*alive;
    }
    FragileCopy(FragileCopy&& o) noexcept : fail(o.fail), alive(o.alive), value(o.value) { ++*alive; }
    FragileCopy& operator=(const FragileCopy&) = delete;
    ~FragileCopy() { --*alive; }
};

}  // namespace

TEST(Broadcast, EveryReceiverGetsEveryValueInOrder) {
    auto [tx, rx1] = broadcast::channel<int>(16);
    auto rx2 = tx.subscribe();
    EXPECT_EQ(tx.receiver_count(), 2u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(*tx.send(i), 2u);
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(*rx1.try_recv(), i);
        EXPECT_EQ(*rx2.try_recv(), i);
    }
    EXPECT_TRUE(rx1.try_recv().error().is_empty());
}

TEST(Broadcast, SubscriberSeesOnlyLaterValues) {
    auto [tx, rx1] = broadcast::channel<int>(4);
    ASSERT_TRUE(tx.send(1).is_ok());
    auto rx2 = tx.subscribe();
    auto rx3 = rx1.resubscribe();
    ASSERT_TRUE(tx.send(2).is_ok());
    EXPECT_EQ(*rx1.try_recv(), 1);
    EXPECT_EQ(*rx2.try_recv(), 2);
    EXPECT_EQ(*rx3.try_recv(), 2);
    EXPECT_EQ(rx1.len(), 1u);
}

TEST(Broadcast, SendWithoutReceiversGivesTheValueBack) {
    auto [tx, rx] = broadcast::channel<std::string>(2);
    { auto drop = std::move(rx); }
    EXPECT_EQ(tx.receiver_count(), 0u);
    auto r = tx.send("lost?");
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error().value, "lost?");
}

TEST(Broadcast, SlowReceiverLagsThenContinuesFromTheOldestRetained) {
    auto [tx, rx] = broadcast::channel<int>(2);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    auto r = rx.try_recv();
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_lagged());
    EXPECT_EQ(r.error().lagged, 3u);
    EXPECT_EQ(*rx.try_recv(), 3);
    EXPECT_EQ(*rx.try_recv(), 4);
    EXPECT_TRUE(rx.try_recv().error().is_empty());
}

TEST(Broadcast, RecvFutureReportsLagged) {
    auto [tx, rx] = broadcast::channel<int>(2);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    auto f = rx.recv();
    auto p = poll_once(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value().error(), broadcast::RecvError::lagged_by(1));
    auto g = rx.recv();
    EXPECT_EQ(*poll_once(g).value(), 1);
}

TEST(Broadcast, CapacityIsRoundedUpToAPowerOfTwo) {
    auto [tx, rx] = broadcast::channel<int>(3);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    EXPECT_EQ(*rx.try_recv(), 0);  // 4 retained
    EXPECT_THROW((void)broadcast::channel<int>(0), std::invalid_argument);
}

TEST(Broadcast, RecvWaitsAndEverySendWakesAllWaiters) {
    CountingWaker cw1, cw2;
    auto [tx, rx1] = broadcast::channel<int>(4);
    auto rx2 = tx.subscribe();
    auto f1 = rx1.recv();
    auto f2 = rx2.recv();
    EXPECT_TRUE(poll_once(f1, cw1).is_pending());
    EXPECT_TRUE(poll_once(f2, cw2).is_pending());
    ASSERT_TRUE(tx.send(7).is_ok());
    EXPECT_EQ(cw1.wakes_total(), 1u);
    EXPECT_EQ(cw2.wakes_total(), 1u);
    EXPECT_EQ(*poll_once(f1, cw1).value(), 7);
    EXPECT_EQ(*poll_once(f2, cw2).value(), 7);
    EXPECT_TRUE(cw1.balanced());
    EXPECT_TRUE(cw2.balanced());
}

// More waiters than one batch of wakes (32): the send wakes them all, the
// lock released between batches.
TEST(Broadcast, SendWakesEveryWaiterPastOneBatch) {
    constexpr int kWaiters = 70;
    CountingWaker cw;
    auto [tx, rx0] = broadcast::channel<int>(4);
    std::vector<broadcast::Receiver<int>> rxs;
    for (int i = 0; i < kWaiters; ++i) rxs.push_back(tx.subscribe());
    std::vector<broadcast::Recv<int>> futs;
    futs.reserve(kWaiters);
    for (auto& rx : rxs) futs.push_back(rx.recv());
    for (auto& f : futs) EXPECT_TRUE(poll_once(f, cw).is_pending());
    ASSERT_TRUE(tx.send(5).is_ok());
    EXPECT_EQ(cw.wakes_total(), std::size_t(kWaiters));
    for (auto& f : futs) EXPECT_EQ(*poll_once(f, cw).value(), 5);
    futs.clear();
    EXPECT_TRUE(cw.balanced());
}

// A waker that throws (Rust: one that panics) stops no other wake: the value
// is sent, every other waiter is woken, then the exception leaves `send`.
TEST(Broadcast, AThrowingWakerStopsNoOtherWake) {
    pollen::test::ThrowingWaker bad("bad");
    CountingWaker cw;
    auto [tx, rx1] = broadcast::channel<int>(4);
    auto rx2 = tx.subscribe();
    {
        auto f1 = rx1.recv();
        auto f2 = rx2.recv();
        EXPECT_TRUE(poll_once(f1, bad.waker()).is_pending());
        EXPECT_TRUE(poll_once(f2, cw).is_pending());
        EXPECT_THROW((void)tx.send(3), pollen::test::WakeThrew);
        EXPECT_EQ(bad.wake_attempts(), 1u);
        EXPECT_EQ(cw.wakes_total(), 1u);
        EXPECT_EQ(*poll_once(f2, cw).value(), 3);
        EXPECT_EQ(*poll_once(f1, cw).value(), 3);
    }
    EXPECT_EQ(bad.live(), 0);
    EXPECT_TRUE(cw.balanced());
    ASSERT_TRUE(tx.send(4).is_ok());  // the waiter list is consistent
    EXPECT_EQ(*rx1.try_recv(), 4);
}

TEST(Broadcast, RecvDestroyedMidWayLeavesTheListAndConsumesNothing) {
    CountingWaker cw;
    auto [tx, rx] = broadcast::channel<int>(4);
    {
        auto f = rx.recv();
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.live(), 1);
    }
    EXPECT_TRUE(cw.balanced());
    ASSERT_TRUE(tx.send(1).is_ok());
    EXPECT_EQ(cw.wakes_total(), 0u);
    EXPECT_EQ(*rx.try_recv(), 1);
}

TEST(Broadcast, AfterTheLastSenderReceiversDrainThenSeeClosed) {
    CountingWaker cw;
    auto [tx, rx] = broadcast::channel<int>(4);
    auto tx2 = tx;
    ASSERT_TRUE(tx.send(1).is_ok());
    { auto drop = std::move(tx); }
    EXPECT_FALSE(rx.is_closed());
    ASSERT_TRUE(tx2.send(2).is_ok());
    { auto drop = std::move(tx2); }
    EXPECT_TRUE(rx.is_closed());
    EXPECT_EQ(*rx.try_recv(), 1);
    EXPECT_EQ(*rx.try_recv(), 2);
    EXPECT_TRUE(rx.try_recv().error().is_closed());
    auto f = rx.recv();
    EXPECT_EQ(poll_once(f).value().error(), broadcast::RecvError::closed());
}

TEST(Broadcast, LastSenderDropWakesWaitingReceivers) {
    CountingWaker cw;
    auto [tx, rx] = broadcast::channel<int>(4);
    auto f = rx.recv();
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    { auto drop = std::move(tx); }
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(f, cw).value().error().is_closed());
}

TEST(Broadcast, ValuesAreReleasedOnceEveryReceiverHasThem) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    {
        auto [tx, rx1] = broadcast::channel<Counted>(8);
        auto rx2 = tx.subscribe();
        ASSERT_TRUE(tx.send(Counted(alive, 1)).is_ok());
        EXPECT_EQ(*alive, 1);
        { auto v = rx1.try_recv(); EXPECT_EQ(v->value, 1); }
        EXPECT_EQ(*alive, 1);  // rx2 still needs it
        { auto v = rx2.try_recv(); EXPECT_EQ(v->value, 1); }
        EXPECT_EQ(*alive, 0);
        ASSERT_TRUE(tx.send(Counted(alive, 2)).is_ok());
        EXPECT_EQ(tx.len(), 1u);
        { auto drop = std::move(rx1); }
        EXPECT_EQ(*alive, 1);
        { auto drop = std::move(rx2); }  // the last reader that needed it
        EXPECT_EQ(*alive, 0);
    }
    EXPECT_EQ(*alive, 0);
}

// Tokio moves the receiver past the slot before cloning: a clone that panics
// costs that receiver that one value, once, and the next recv goes on.
TEST(Broadcast, AValueWhoseCopyThrowsIsSkippedByThatReceiverOnly) {
    auto fail = std::make_shared<std::atomic<bool>>(false);
    auto alive = std::make_shared<std::atomic<int>>(0);
    {
        auto [tx, rx1] = broadcast::channel<FragileCopy>(4);
        auto rx2 = tx.subscribe();
        ASSERT_TRUE(tx.send(FragileCopy(fail, alive, 1)).is_ok());
        ASSERT_TRUE(tx.send(FragileCopy(fail, alive, 2)).is_ok());
        *fail = true;
        EXPECT_THROW((void)rx1.try_recv(), std::runtime_error);
        *fail = false;
        auto next = rx1.try_recv();
        ASSERT_TRUE(next.is_ok());
        EXPECT_EQ(next->value, 2);
        auto empty = rx1.try_recv();
        ASSERT_TRUE(empty.is_err());
        EXPECT_TRUE(empty.error().is_empty());
        EXPECT_EQ(rx1.len(), 0u);
        // The other receiver still gets both.
        EXPECT_EQ(rx2.try_recv()->value, 1);
        EXPECT_EQ(rx2.try_recv()->value, 2);
        EXPECT_EQ(tx.len(), 0u);
    }
    EXPECT_EQ(*alive, 0);  // the skipped value was released with its last reader
}

TEST(Broadcast, ARecvWhoseCopyThrowsPropagatesOnceThenTheNextValueComes) {
    auto fail = std::make_shared<std::atomic<bool>>(false);
    auto alive = std::make_shared<std::atomic<int>>(0);
    {
        auto [tx, rx] = broadcast::channel<FragileCopy>(4);
        ASSERT_TRUE(tx.send(FragileCopy(fail, alive, 1)).is_ok());
        ASSERT_TRUE(tx.send(FragileCopy(fail, alive, 2)).is_ok());
        *fail = true;
        {
            auto f = rx.recv();
            EXPECT_THROW((void)poll_once(f), std::runtime_error);
        }
        EXPECT_EQ(*alive, 1);  // value 1 had no other reader: gone
        *fail = false;
        auto f = rx.recv();
        auto p = poll_once(f);
        ASSERT_TRUE(p.is_ready() && p.value().is_ok());
        EXPECT_EQ(p.value()->value, 2);
    }
    EXPECT_EQ(*alive, 0);
}

TEST(Broadcast, SenderClosedIsReadyOnceEveryReceiverIsGone) {
    CountingWaker cw;
    auto [tx, rx1] = broadcast::channel<int>(4);
    auto rx2 = tx.subscribe();
    auto tx2 = tx;
    EXPECT_FALSE(tx.is_closed());
    auto c = tx.closed();
    auto c2 = tx2.closed();
    EXPECT_TRUE(poll_once(c, cw).is_pending());
    EXPECT_TRUE(poll_once(c2).is_pending());
    { auto drop = std::move(rx1); }
    EXPECT_EQ(cw.wakes_total(), 0u);
    EXPECT_TRUE(poll_once(c, cw).is_pending());
    { auto drop = std::move(rx2); }
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(cw.balanced());  // woken and let go by the last receiver's drop
    EXPECT_TRUE(tx.is_closed());
    EXPECT_TRUE(poll_once(c, cw).is_ready());
    EXPECT_TRUE(poll_once(c2).is_ready());
    EXPECT_TRUE(tx.send(1).is_err());
}

TEST(Broadcast, SenderClosedWaitsAgainForAReceiverSubscribedMeanwhile) {
    CountingWaker cw;
    auto [tx, rx] = broadcast::channel<int>(4);
    { auto drop = std::move(rx); }
    auto ready_now = tx.closed();
    EXPECT_TRUE(poll_once(ready_now).is_ready());
    auto rx2 = tx.subscribe();
    EXPECT_FALSE(tx.is_closed());
    auto c = tx.closed();
    EXPECT_TRUE(poll_once(c, cw).is_pending());
    { auto drop = std::move(rx2); }
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(c, cw).is_ready());
}

TEST(Broadcast, SenderClosedDestroyedMidWayReleasesItsWaker) {
    CountingWaker cw;
    auto [tx, rx] = broadcast::channel<int>(4);
    {
        auto c = tx.closed();
        EXPECT_TRUE(poll_once(c, cw).is_pending());
        EXPECT_TRUE(poll_once(c, cw).is_pending());
        EXPECT_EQ(cw.live(), 1);
    }
    EXPECT_TRUE(cw.balanced());
    { auto drop = std::move(rx); }
    EXPECT_EQ(cw.wakes_total(), 0u);
}

TEST(Broadcast, BlockingRecvOnAPlainThread) {
    auto [tx, rx] = broadcast::channel<int>(1024);
    std::thread consumer([rx = std::move(rx)]() mutable {
        long sum = 0;
        for (;;) {
            auto r = rx.blocking_recv();
            if (r.is_err()) {
                if (r.error().is_closed()) break;
                std::abort();  // capacity covers everything: no lag expected
            }
            sum += *r;
        }
        EXPECT_EQ(sum, 500L * 501 / 2);
    });
    for (int i = 1; i <= 500; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    { auto drop = std::move(tx); }
    consumer.join();
}

namespace {

/// Receives until Closed; counts values and lag.
class Drain : public FutureExt<Drain> {
public:
    struct Out {
        std::uint64_t count = 0, lagged = 0, sum = 0;
    };
    using Output = Out;
    explicit Drain(broadcast::Receiver<std::uint64_t> rx) : rx_(std::move(rx)) {}
    Drain(Drain&& o) noexcept : rx_(std::move(o.rx_)), out_(o.out_) {}
    Poll<Out> poll(Context& cx) {
        for (;;) {
            if (!recv_) recv_.emplace(rx_.recv());
            auto p = recv_->poll(cx);
            if (p.is_pending()) return pending;
            recv_.reset();
            auto& r = p.value();
            if (r.is_ok()) {
                ++out_.count;
                out_.sum += *r;
            } else if (r.error().is_lagged()) {
                out_.lagged += r.error().lagged;
            } else {
                return ready(out_);
            }
        }
    }

private:
    broadcast::Receiver<std::uint64_t> rx_;
    Out out_;
    std::optional<broadcast::Recv<std::uint64_t>> recv_;
};

class BurstSender : public FutureExt<BurstSender> {
public:
    using Output = void;
    BurstSender(broadcast::Sender<std::uint64_t> tx, std::uint64_t n) : tx_(std::move(tx)), left_(n) {}
    Poll<void> poll(Context& cx) {
        for (int burst = 0; left_ > 0; --left_) {
            if (++burst == 32) {
                cx.waker().wake_by_ref();
                return pending;
            }
            (void)tx_.send(1);
        }
        return ready();
    }

private:
    broadcast::Sender<std::uint64_t> tx_;
    std::uint64_t left_;
};

}  // namespace

TEST(BroadcastStress, FourSendersFourReceiversAccountForEveryValue) {
    constexpr std::uint64_t kSenders = 4, kPer = 25'000;
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto [tx, rx] = broadcast::channel<std::uint64_t>(64);
    std::vector<JoinHandle<Drain::Out>> receivers;
    for (int r = 0; r < 3; ++r) receivers.push_back(rt.spawn(Drain(tx.subscribe())));
    receivers.push_back(rt.spawn(Drain(std::move(rx))));
    for (std::uint64_t s = 0; s < kSenders; ++s) (void)rt.spawn(BurstSender(tx, kPer));
    { auto drop = std::move(tx); }
    for (auto& h : receivers) {
        auto out = rt.block_on(std::move(h)).value();
        // Each value is either received or counted as missed, exactly once.
        EXPECT_EQ(out.count + out.lagged, kSenders * kPer);
        EXPECT_EQ(out.sum, out.count);
    }
}
