// pollen::watch: Tokio's sync::watch semantics (versions, borrow guards,
// changed(), close in both directions), by hand and under a runtime.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

TEST(Watch, InitialValueIsSeenAndBorrowReadsIt) {
    auto [tx, rx] = watch::channel<std::string>("hello");
    EXPECT_EQ(*rx.borrow(), "hello");
    EXPECT_FALSE(rx.borrow().has_changed());
    EXPECT_FALSE(*rx.has_changed());
    EXPECT_EQ(tx.borrow()->size(), 5u);
}

TEST(Watch, SendMarksTheValueChangedUntilBorrowAndUpdate) {
    auto [tx, rx] = watch::channel<int>(0);
    ASSERT_TRUE(tx.send(1).is_ok());
    EXPECT_TRUE(*rx.has_changed());
    {
        auto r = rx.borrow();  // does not mark seen
        EXPECT_TRUE(r.has_changed());
        EXPECT_EQ(*r, 1);
    }
    EXPECT_TRUE(*rx.has_changed());
    {
        auto r = rx.borrow_and_update();
        EXPECT_TRUE(r.has_changed());
    }
    EXPECT_FALSE(*rx.has_changed());
}

TEST(Watch, ChangedIsReadyOnlyForAnUnseenValueAndMarksIt) {
    CountingWaker cw;
    auto [tx, rx] = watch::channel<int>(0);
    {
        auto f = rx.changed();
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        ASSERT_TRUE(tx.send(5).is_ok());
        EXPECT_EQ(cw.wakes_total(), 1u);
        EXPECT_TRUE(poll_once(f, cw).value().is_ok());
    }
    EXPECT_FALSE(*rx.has_changed());
    EXPECT_EQ(*rx.borrow(), 5);
    // Two sends before a look: one change, the latest value.
    ASSERT_TRUE(tx.send(6).is_ok());
    ASSERT_TRUE(tx.send(7).is_ok());
    auto f = rx.changed();
    EXPECT_TRUE(poll_once(f).value().is_ok());
    EXPECT_EQ(*rx.borrow(), 7);
    auto g = rx.changed();
    EXPECT_TRUE(poll_once(g, cw).is_pending());
}

TEST(Watch, SendModifyAndSendReplace) {
    auto [tx, rx] = watch::channel<std::vector<int>>(std::vector<int>{1});
    tx.send_modify([](std::vector<int>& v) { v.push_back(2); });
    EXPECT_EQ(rx.borrow_and_update()->size(), 2u);
    EXPECT_FALSE(tx.send_if_modified([](std::vector<int>&) { return false; }));
    EXPECT_FALSE(*rx.has_changed());
    auto old = tx.send_replace(std::vector<int>{9});
    EXPECT_EQ(old.size(), 2u);
    EXPECT_TRUE(*rx.has_changed());
    EXPECT_EQ(rx.borrow()->at(0), 9);
}

TEST(Watch, SendWithoutReceiversFailsAndStoresNothing) {
    auto [tx, rx] = watch::channel<int>(1);
    EXPECT_FALSE(tx.is_closed());
    { auto drop = std::move(rx); }
    EXPECT_TRUE(tx.is_closed());
    auto r = tx.send(2);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error().value, 2);
    EXPECT_EQ(*tx.borrow(), 1);
    (void)tx.send_replace(3);  // stores regardless
    EXPECT_EQ(*tx.borrow(), 3);
    auto rx2 = tx.subscribe();
    EXPECT_EQ(*rx2.borrow(), 3);
    EXPECT_FALSE(*rx2.has_changed());
}

TEST(Watch, SenderDropEndsChangedOnceTheLastValueIsSeen) {
    CountingWaker cw;
    auto [tx, rx] = watch::channel<int>(0);
    auto f = rx.changed();
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    ASSERT_TRUE(tx.send(1).is_ok());
    { auto drop = std::move(tx); }
    // A value sent before the drop is still a change.
    EXPECT_TRUE(poll_once(f, cw).value().is_ok());
    EXPECT_TRUE(rx.has_changed().is_err());
    auto g = rx.changed();
    EXPECT_TRUE(poll_once(g).value().is_err());
    EXPECT_EQ(*rx.borrow(), 1);
}

TEST(Watch, SenderDropWakesAWaitingReceiver) {
    CountingWaker cw;
    auto [tx, rx] = watch::channel<int>(0);
    auto f = rx.changed();
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    { auto drop = std::move(tx); }
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(f, cw).value().is_err());
}

TEST(Watch, ClonedReceiversTrackVersionsSeparately) {
    auto [tx, rx1] = watch::channel<int>(0);
    ASSERT_TRUE(tx.send(1).is_ok());
    auto rx2 = rx1;  // starts unseen too
    (void)rx1.borrow_and_update();
    EXPECT_FALSE(*rx1.has_changed());
    EXPECT_TRUE(*rx2.has_changed());
    EXPECT_EQ(tx.receiver_count(), 2u);
    rx1.mark_changed();
    EXPECT_TRUE(*rx1.has_changed());
    rx2.mark_unchanged();
    EXPECT_FALSE(*rx2.has_changed());
}

TEST(Watch, ClosedFutureIsReadyWhenTheLastReceiverGoes) {
    CountingWaker cw;
    auto [tx, rx] = watch::channel<int>(0);
    auto rx2 = rx;
    auto c = tx.closed();
    EXPECT_TRUE(poll_once(c, cw).is_pending());
    { auto drop = std::move(rx); }
    EXPECT_EQ(cw.wakes_total(), 0u);
    { auto drop = std::move(rx2); }
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(c, cw).is_ready());
}

// More waiters than one batch of wakes (32): every one is woken.
TEST(Watch, SendWakesEveryWaitingReceiverPastOneBatch) {
    constexpr int kWaiters = 70;
    CountingWaker cw;
    auto [tx, rx0] = watch::channel<int>(0);
    std::vector<watch::Receiver<int>> rxs(kWaiters, rx0);
    std::vector<watch::Changed<int>> futs;
    futs.reserve(kWaiters);
    for (auto& rx : rxs) futs.push_back(rx.changed());
    for (auto& f : futs) EXPECT_TRUE(poll_once(f, cw).is_pending());
    ASSERT_TRUE(tx.send(1).is_ok());
    EXPECT_EQ(cw.wakes_total(), std::size_t(kWaiters));
    for (auto& f : futs) EXPECT_TRUE(poll_once(f, cw).value().is_ok());
    futs.clear();
    EXPECT_TRUE(cw.balanced());
}

TEST(Watch, ChangedDestroyedMidWayReleasesItsWaker) {
    CountingWaker cw;
    auto [tx, rx] = watch::channel<int>(0);
    {
        auto f = rx.changed();
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(cw.live(), 1);
    }
    EXPECT_TRUE(cw.balanced());
    ASSERT_TRUE(tx.send(1).is_ok());
    EXPECT_EQ(cw.wakes_total(), 0u);
    EXPECT_TRUE(*rx.has_changed());
}

// Tokio 1.37+: watch::Sender is Clone; the channel closes for receivers
// when the last clone goes.
TEST(Watch, ClonedSendersAllSendAndOnlyTheLastDropCloses) {
    CountingWaker cw;
    auto [tx, rx] = watch::channel<int>(0);
    auto tx2 = tx;
    EXPECT_TRUE(tx.same_channel(tx2));
    EXPECT_EQ(tx.sender_count(), 2u);
    ASSERT_TRUE(tx2.send(1).is_ok());
    EXPECT_EQ(*rx.borrow_and_update(), 1);
    ASSERT_TRUE(tx.send(2).is_ok());
    EXPECT_EQ(*rx.borrow_and_update(), 2);
    auto f = rx.changed();
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    { auto drop = std::move(tx); }
    EXPECT_EQ(cw.wakes_total(), 0u);  // another sender lives
    EXPECT_EQ(tx2.sender_count(), 1u);
    EXPECT_FALSE(*rx.has_changed());
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    ASSERT_TRUE(tx2.send(3).is_ok());
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(f, cw).value().is_ok());
    auto g = rx.changed();
    EXPECT_TRUE(poll_once(g, cw).is_pending());
    { auto drop = std::move(tx2); }
    EXPECT_EQ(cw.wakes_total(), 2u);
    EXPECT_TRUE(poll_once(g, cw).value().is_err());
    EXPECT_TRUE(rx.has_changed().is_err());
}

TEST(Watch, ACopyAssignedSenderLetsGoOfItsOldChannel) {
    auto [tx_a, rx_a] = watch::channel<int>(0);
    auto [tx_b, rx_b] = watch::channel<int>(0);
    watch::Sender<int> tx;  // empty
    EXPECT_EQ(tx.sender_count(), 0u);
    tx = tx_a;
    EXPECT_EQ(tx_a.sender_count(), 2u);
    { auto drop = std::move(tx_a); }
    EXPECT_TRUE(rx_a.has_changed().is_ok());  // tx still sends into a
    tx = tx_b;                                // the last sender of a goes
    EXPECT_TRUE(rx_a.has_changed().is_err());
    EXPECT_EQ(tx_b.sender_count(), 2u);
    ASSERT_TRUE(tx.send(5).is_ok());
    EXPECT_EQ(*rx_b.borrow(), 5);
    watch::Sender<int> empty;
    auto copy = empty;
    EXPECT_FALSE(copy.same_channel(empty));
    EXPECT_EQ(copy.sender_count(), 0u);
}

TEST(Watch, BlockingChangedOnAPlainThread) {
    auto [tx, rx] = watch::channel<int>(0);
    std::thread t([rx = std::move(rx)]() mutable {
        int last = 0;
        while (rx.blocking_changed().is_ok()) {
            int v = *rx.borrow_and_update();
            EXPECT_GE(v, last);  // versions only move forward
            last = v;
        }
        EXPECT_EQ(last, 1000);
    });
    for (int i = 1; i <= 1000; ++i) (void)tx.send_replace(i);
    { auto drop = std::move(tx); }
    t.join();
}

namespace {

/// Follows the channel until the sender is gone; Ready with the last value seen.
class Follow : public FutureExt<Follow> {
public:
    using Output = std::uint64_t;
    explicit Follow(watch::Receiver<std::uint64_t> rx) : rx_(std::move(rx)) {}
    Follow(Follow&& o) noexcept : rx_(std::move(o.rx_)) {}
    Poll<std::uint64_t> poll(Context& cx) {
        for (;;) {
            if (!changed_) changed_.emplace(rx_.changed());
            auto p = changed_->poll(cx);
            if (p.is_pending()) return pending;
            changed_.reset();
            if (p.value().is_err()) return ready(std::uint64_t(*rx_.borrow()));
            std::uint64_t v = *rx_.borrow_and_update();
            if (v < last_) std::abort();  // a value older than one already seen
            last_ = v;
        }
    }

private:
    watch::Receiver<std::uint64_t> rx_;
    std::uint64_t last_ = 0;
    std::optional<watch::Changed<std::uint64_t>> changed_;
};

}  // namespace

TEST(WatchStress, ReceiversFollowAHundredThousandModifications) {
    constexpr std::uint64_t kModifiers = 4, kPer = 25'000;
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto [tx, rx] = watch::channel<std::uint64_t>(0);
    std::vector<JoinHandle<std::uint64_t>> followers;
    for (int i = 0; i < 4; ++i) followers.push_back(rt.spawn(Follow(rx)));
    { auto drop = std::move(rx); }
    auto shared_tx = std::make_shared<watch::Sender<std::uint64_t>>(std::move(tx));
    std::vector<std::thread> modifiers;
    for (std::uint64_t m = 0; m < kModifiers; ++m)
        modifiers.emplace_back([shared_tx] {
            for (std::uint64_t i = 0; i < kPer; ++i) shared_tx->send_modify([](std::uint64_t& v) { ++v; });
        });
    for (auto& t : modifiers) t.join();
    shared_tx.reset();
    for (auto& h : followers) EXPECT_EQ(rt.block_on(std::move(h)).value(), kModifiers * kPer);
}

TEST(WatchStress, SendersOnSeveralThreadsEachSeeTheirModificationsCounted) {
    constexpr int kThreads = 4, kPer = 20'000;
    auto [tx, rx] = watch::channel<int>(0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([tx = tx]() {  // a copy per thread
            for (int i = 0; i < kPer; ++i) tx.send_modify([](int& v) { ++v; });
        });
    { auto drop = std::move(tx); }
    // The receiver follows until the last copy is dropped (with its thread).
    int last = 0;
    while (rx.blocking_changed().is_ok()) {
        int now = *rx.borrow_and_update();
        EXPECT_GE(now, last);
        last = now;
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(*rx.borrow(), kThreads * kPer);
}
