// mpsc's WeakSender / WeakUnboundedSender (downgrade, upgrade) and the
// owned permits (reserve_owned, try_reserve_owned, OwnedPermit), as Tokio's.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

TEST(MpscWeakSender, UpgradesWhileASenderLivesAndSendsThroughIt) {
    auto [tx, rx] = mpsc::channel<int>(4);
    mpsc::WeakSender<int> weak = tx.downgrade();
    auto strong = weak.upgrade();
    ASSERT_TRUE(strong.has_value());
    EXPECT_TRUE(strong->same_channel(tx));
    ASSERT_TRUE(strong->try_send(7).is_ok());
    EXPECT_EQ(rx.try_recv().value(), 7);
}

TEST(MpscWeakSender, DoesNotKeepTheChannelOpenAndCannotUpgradeAfterTheLastSender) {
    auto [tx, rx] = mpsc::channel<int>(4);
    mpsc::WeakSender<int> weak = tx.downgrade();
    mpsc::WeakSender<int> copy = weak;
    EXPECT_TRUE(copy.same_channel(weak));
    ASSERT_TRUE(tx.try_send(1).is_ok());
    tx = {};
    // The receiver sees the value, then the end, although weak senders live.
    Runtime rt = Builder::new_current_thread().build();
    EXPECT_EQ(rt.block_on(rx.recv()), std::optional<int>(1));
    EXPECT_EQ(rt.block_on(rx.recv()), std::nullopt);
    EXPECT_FALSE(weak.upgrade().has_value());
    EXPECT_FALSE(copy.upgrade().has_value());
    EXPECT_FALSE(mpsc::WeakSender<int>().upgrade().has_value());
}

TEST(MpscWeakSender, AnUpgradedSenderKeepsTheChannelOpenAfterTheOriginalIsDropped) {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    mpsc::WeakUnboundedSender<int> weak = tx.downgrade();
    std::optional<mpsc::UnboundedSender<int>> strong = weak.upgrade();
    ASSERT_TRUE(strong.has_value());
    tx = {};
    ASSERT_TRUE(strong->send(3).is_ok());
    EXPECT_EQ(rx.try_recv().value(), 3);
    EXPECT_FALSE(rx.try_recv().is_ok());  // empty, not disconnected: a sender lives
    strong.reset();
    EXPECT_FALSE(weak.upgrade().has_value());
}

TEST(MpscWeakSender, OutlivesTheReceiverAndEverySenderWithoutLeaking) {
    mpsc::WeakSender<std::vector<int>> weak;
    {
        auto [tx, rx] = mpsc::channel<std::vector<int>>(2);
        weak = tx.downgrade();
        ASSERT_TRUE(tx.try_send(std::vector<int>(100, 1)).is_ok());
    }
    // The channel's memory is the weak sender's now; ASan checks the release.
    EXPECT_FALSE(weak.upgrade().has_value());
}

TEST(MpscWeakSender, UpgradesRacingTheLastDropNeverReviveAClosedChannel) {
    for (int round = 0; round < 50; ++round) {
        auto [tx, rx] = mpsc::unbounded_channel<int>();
        auto weak = tx.downgrade();
        std::atomic<bool> go{false};
        std::vector<std::thread> threads;
        for (int t = 0; t < 3; ++t)
            threads.emplace_back([&weak, &go] {
                while (!go.load()) {
                }
                for (int i = 0; i < 200; ++i)
                    if (auto s = weak.upgrade()) (void)s->send(i);
            });
        go = true;
        tx = {};
        for (auto& t : threads) t.join();
        // Every sender is gone: the stream ends, and stays ended.
        std::size_t received = 0;
        for (;;) {
            auto r = rx.try_recv();
            if (r.is_ok()) {
                ++received;
                continue;
            }
            EXPECT_TRUE(r.error() == mpsc::TryRecvError::Disconnected);
            break;
        }
        EXPECT_FALSE(weak.upgrade().has_value());
        EXPECT_LE(received, 600u);
    }
}

TEST(MpscOwnedPermit, ReserveOwnedTakesASlotAndSendGivesTheSenderBack) {
    auto [tx, rx] = mpsc::channel<int>(1);
    mpsc::Sender<int> other = tx;
    auto fut = std::move(tx).reserve_owned();
    EXPECT_TRUE(tx.is_closed());  // moved into the future: empty
    auto p = poll_once(fut);
    ASSERT_TRUE(p.is_ready());
    auto r = p.take();
    ASSERT_TRUE(r.is_ok());
    mpsc::OwnedPermit<int> permit = std::move(r).value();
    EXPECT_TRUE(other.try_send(1).is_err());  // the one slot is reserved
    mpsc::Sender<int> back = std::move(permit).send(5);
    EXPECT_TRUE(back.same_channel(other));
    EXPECT_EQ(rx.try_recv().value(), 5);
    EXPECT_TRUE(back.try_send(6).is_ok());
}

TEST(MpscOwnedPermit, ADroppedOrReleasedPermitGivesItsSlotBack) {
    auto [tx, rx] = mpsc::channel<int>(1);
    mpsc::Sender<int> other = tx;
    {
        auto r = mpsc::Sender<int>(tx).try_reserve_owned();
        ASSERT_TRUE(r.is_ok());
        EXPECT_EQ(other.capacity(), 0u);
    }
    EXPECT_EQ(other.capacity(), 1u);
    auto r = std::move(tx).try_reserve_owned();
    ASSERT_TRUE(r.is_ok());
    mpsc::Sender<int> back = std::move(r).value().release();
    EXPECT_EQ(other.capacity(), 1u);
    EXPECT_TRUE(back.try_send(2).is_ok());
    EXPECT_EQ(rx.try_recv().value(), 2);
}

TEST(MpscOwnedPermit, TryReserveOwnedHandsTheSenderBackWhenFullOrClosed) {
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    auto full = std::move(tx).try_reserve_owned();
    ASSERT_TRUE(full.is_err());
    EXPECT_TRUE(full.error().is_full());
    mpsc::Sender<int> again = std::move(full).error().into_inner();
    EXPECT_FALSE(again.is_closed());
    rx.close();
    auto closed = std::move(again).try_reserve_owned();
    ASSERT_TRUE(closed.is_err());
    EXPECT_TRUE(closed.error().is_closed());
}

TEST(MpscOwnedPermit, ReserveOwnedWaitsForASlotAndFailsOnceTheReceiverIsGone) {
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    mpsc::Sender<int> keep = tx;
    auto fut = mpsc::Sender<int>(tx).reserve_owned();
    CountingWaker cw;
    EXPECT_TRUE(poll_once(fut, cw).is_pending());
    EXPECT_EQ(rx.try_recv().value(), 1);  // frees the slot: the waiter is woken
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_once(fut, cw);
    ASSERT_TRUE(p.is_ready());
    ASSERT_TRUE(p.take().is_ok());

    auto [tx2, rx2] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx2.try_send(1).is_ok());
    auto waiting = mpsc::Sender<int>(tx2).reserve_owned();
    EXPECT_TRUE(poll_once(waiting, cw).is_pending());
    rx2 = {};
    auto failed = poll_once(waiting, cw);
    ASSERT_TRUE(failed.is_ready());
    EXPECT_TRUE(failed.take().is_err());
    EXPECT_TRUE(cw.balanced());
}

TEST(MpscOwnedPermit, APermitMovesIntoAnotherTask) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto [tx, rx] = mpsc::channel<int>(2);
    auto r = rt.block_on(std::move(tx).reserve_owned());
    ASSERT_TRUE(r.is_ok());
    auto h = rt.spawn(future::lazy([permit = std::move(r).value()]() mutable {
        mpsc::Sender<int> s = std::move(permit).send(42);
        return s.is_closed();
    }));
    EXPECT_EQ(rt.block_on(rx.recv()), std::optional<int>(42));
    EXPECT_FALSE(rt.block_on(std::move(h)).value());
}
