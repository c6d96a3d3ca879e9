// pollen::mpsc: Tokio's bounded and unbounded mpsc semantics, polled by hand,
// from plain threads, and under a multi-thread runtime.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/throwing_waker.hpp"
#include "support/sanitizer.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

namespace {

/// A value that counts how many of its kind are alive, so a lost value (never
/// destroyed) or a duplicated one (destroyed twice) shows in `alive`.
struct Probe {
    std::shared_ptr<std::atomic<int>> alive;
    int value = 0;
    Probe(std::shared_ptr<std::atomic<int>> a, int v) : alive(std::move(a)), value(v) { ++*alive; }
    Probe(Probe&& o) noexcept : alive(o.alive), value(o.value) { ++*alive; }
    Probe(const Probe&) = delete;
    Probe& operator=(const Probe&) = delete;
    ~Probe() { --*alive; }
};

template <class Rx>
auto poll_recv(Rx& rx, const Waker& w = noop_waker_ref()) {
    Context cx(w);
    return rx.poll_recv(cx);
}

/// Sends `count` values starting at `first`, one `send().await` after another.
template <class T>
class Producer : public FutureExt<Producer<T>> {
public:
    using Output = void;
    Producer(mpsc::Sender<T> tx, std::uint64_t first, std::uint64_t count)
        : tx_(std::move(tx)), next_(first), end_(first + count) {}
    Producer(Producer&& o) noexcept : tx_(std::move(o.tx_)), next_(o.next_), end_(o.end_) {}

    Poll<void> poll(Context& cx) {
        while (next_ < end_) {
            if (!send_) send_.emplace(tx_.send(T(next_)));
            auto p = send_->poll(cx);
            if (p.is_pending()) return pending;
            if (p.value().is_err()) std::abort();
            send_.reset();
            ++next_;
        }
        return ready();
    }

private:
    mpsc::Sender<T> tx_;
    std::uint64_t next_, end_;
    std::optional<mpsc::Send<T>> send_;
};

/// Receives until the end; Ready with (count, sum).
template <class Rx>
class Consumer : public FutureExt<Consumer<Rx>> {
public:
    using Output = std::pair<std::uint64_t, std::uint64_t>;
    explicit Consumer(Rx& rx) : rx_(&rx) {}
    Poll<Output> poll(Context& cx) {
        for (;;) {
            auto p = rx_->poll_recv(cx);
            if (p.is_pending()) return pending;
            if (!p.value()) return ready(Output{count_, sum_});
            ++count_;
            sum_ += *p.value();
        }
    }

private:
    Rx* rx_;
    std::uint64_t count_ = 0, sum_ = 0;
};

}  // namespace

// ------------------------------------------------------------------ basics

TEST(MpscBounded, ValuesArriveInSendOrder) {
    auto [tx, rx] = mpsc::channel<int>(100);
    for (int i = 0; i < 70; ++i) ASSERT_TRUE(tx.try_send(i).is_ok());
    for (int i = 0; i < 70; ++i) {
        auto p = poll_recv(rx);
        ASSERT_TRUE(p.is_ready());
        ASSERT_EQ(p.value(), std::optional<int>(i));
    }
    EXPECT_TRUE(poll_recv(rx).is_pending());
}

TEST(MpscBounded, ManyBlocksAreCrossedAndReusedInOrder) {
    auto [tx, rx] = mpsc::channel<std::uint64_t>(50);
    std::uint64_t next_recv = 0;
    for (std::uint64_t i = 0; i < 10'000; ++i) {
        ASSERT_TRUE(tx.try_send(i).is_ok());
        if (i % 7 == 6 || tx.capacity() == 0) {
            while (true) {
                auto r = rx.try_recv();
                if (r.is_err()) break;
                ASSERT_EQ(*r, next_recv++);
            }
        }
    }
    while (auto r = rx.try_recv()) ASSERT_EQ(*r, next_recv++);
    EXPECT_EQ(next_recv, 10'000u);
}

TEST(MpscBounded, RecvIsPendingUntilASendWakesIt) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<std::string>(4);
    auto fut = rx.recv();
    EXPECT_TRUE(poll_once(fut, cw).is_pending());
    EXPECT_EQ(cw.wakes_total(), 0u);
    ASSERT_TRUE(tx.try_send("hello").is_ok());
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_once(fut, cw);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(*p.value(), "hello");
}

TEST(MpscBounded, TrySendReportsFullThenClosedAndGivesTheValueBack) {
    auto [tx, rx] = mpsc::channel<std::string>(1);
    ASSERT_TRUE(tx.try_send("a").is_ok());
    auto full = tx.try_send("b");
    ASSERT_TRUE(full.is_err());
    EXPECT_TRUE(full.error().is_full());
    EXPECT_EQ(full.error().value, "b");
    rx.close();
    auto closed = tx.try_send("c");
    ASSERT_TRUE(closed.is_err());
    EXPECT_TRUE(closed.error().is_closed());
    EXPECT_EQ(std::move(closed.error()).into_inner(), "c");
}

TEST(MpscBounded, CapacityCountsFreeSlots) {
    auto [tx, rx] = mpsc::channel<int>(3);
    EXPECT_EQ(tx.capacity(), 3u);
    EXPECT_EQ(tx.max_capacity(), 3u);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    ASSERT_TRUE(tx.try_send(2).is_ok());
    EXPECT_EQ(tx.capacity(), 1u);
    EXPECT_EQ(rx.capacity(), 1u);
    ASSERT_TRUE(rx.try_recv().is_ok());
    EXPECT_EQ(tx.capacity(), 2u);
}

TEST(MpscBounded, ZeroCapacityIsRejected) {
    EXPECT_THROW((void)mpsc::channel<int>(0), std::invalid_argument);
}

TEST(MpscBounded, TryRecvSaysEmptyThenDisconnected) {
    auto [tx, rx] = mpsc::channel<int>(2);
    auto r = rx.try_recv();
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), mpsc::TryRecvError::Empty);
    ASSERT_TRUE(tx.try_send(5).is_ok());
    { auto drop = std::move(tx); }
    EXPECT_EQ(*rx.try_recv(), 5);
    r = rx.try_recv();
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), mpsc::TryRecvError::Disconnected);
}

TEST(MpscBounded, ReceiverIsAStream) {
    using Rx = mpsc::Receiver<int>;
    static_assert(std::is_same_v<Rx::Item, int>);
    auto [tx, rx] = mpsc::channel<int>(2);
    ASSERT_TRUE(tx.try_send(3).is_ok());
    Context cx(noop_waker_ref());
    auto p = rx.poll_next(cx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), std::optional<int>(3));
}

TEST(MpscBounded, SpentBudgetYieldsEvenWithAValueThere) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(2);
    ASSERT_TRUE(tx.try_send(3).is_ok());
    {
        coop::BudgetScope spent(0);
        Waker w = cw.waker();
        EXPECT_TRUE(poll_recv(rx, w).is_pending());
        EXPECT_EQ(cw.wakes_total(), 1u);
    }
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(3));
}

// ------------------------------------------------------------ backpressure

TEST(MpscBounded, SendWaitsForSpaceAndWaitersAreServedInOrder) {
    CountingWaker cw1, cw2, cw3;
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(0).is_ok());
    auto s1 = tx.send(1);
    auto s2 = tx.send(2);
    EXPECT_TRUE(poll_once(s1, cw1).is_pending());
    EXPECT_TRUE(poll_once(s2, cw2).is_pending());
    // A newcomer does not overtake the queue.
    auto t = tx.try_send(3);
    ASSERT_TRUE(t.is_err());
    EXPECT_TRUE(t.error().is_full());

    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(0));
    EXPECT_EQ(cw1.wakes_total(), 1u);
    EXPECT_EQ(cw2.wakes_total(), 0u);
    EXPECT_TRUE(poll_once(s1, cw1).is_ready());
    EXPECT_TRUE(poll_once(s2, cw2).is_pending());

    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(1));
    EXPECT_EQ(cw2.wakes_total(), 1u);
    auto s3 = tx.send(3);
    EXPECT_TRUE(poll_once(s3, cw3).is_pending());  // the slot is s2's
    EXPECT_TRUE(poll_once(s2, cw2).is_ready());
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(2));
    EXPECT_TRUE(poll_once(s3, cw3).is_ready());
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(3));
}

TEST(MpscBounded, SendDestroyedWhileQueuedLeavesTheQueue) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    CountingWaker cw1, cw2;
    auto [tx, rx] = mpsc::channel<Probe>(1);
    ASSERT_TRUE(tx.try_send(Probe(alive, 0)).is_ok());
    auto s2 = tx.send(Probe(alive, 2));
    {
        auto s1 = tx.send(Probe(alive, 1));
        EXPECT_TRUE(poll_once(s1, cw1).is_pending());
        EXPECT_TRUE(poll_once(s2, cw2).is_pending());
        EXPECT_EQ(*alive, 3);
    }
    EXPECT_EQ(*alive, 2);  // s1's value died with it, once
    EXPECT_TRUE(cw1.balanced());
    EXPECT_EQ(poll_recv(rx).value()->value, 0);
    EXPECT_EQ(cw2.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(s2, cw2).is_ready());
    EXPECT_EQ(poll_recv(rx).value()->value, 2);
    EXPECT_TRUE(poll_recv(rx).is_pending());
    EXPECT_EQ(*alive, 0);
}

TEST(MpscBounded, SendDestroyedAfterBeingHandedASlotGivesItBack) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    CountingWaker cw1, cw2;
    auto [tx, rx] = mpsc::channel<Probe>(1);
    ASSERT_TRUE(tx.try_send(Probe(alive, 0)).is_ok());
    auto s2 = tx.send(Probe(alive, 2));
    {
        auto s1 = tx.send(Probe(alive, 1));
        EXPECT_TRUE(poll_once(s1, cw1).is_pending());
        EXPECT_TRUE(poll_once(s2, cw2).is_pending());
        EXPECT_EQ(poll_recv(rx).value()->value, 0);  // the slot goes to s1
        EXPECT_EQ(cw1.wakes_total(), 1u);
        EXPECT_EQ(cw2.wakes_total(), 0u);
    }
    // s1 died holding the slot: it passes on to s2, nothing is lost.
    EXPECT_EQ(cw2.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(s2, cw2).is_ready());
    EXPECT_EQ(poll_recv(rx).value()->value, 2);
    EXPECT_EQ(tx.capacity(), 1u);
    EXPECT_EQ(*alive, 0);
    EXPECT_TRUE(cw1.balanced());
    EXPECT_TRUE(cw2.balanced());
}

TEST(MpscBounded, ReservedPermitSendsWithoutFailingAndDroppedPermitReturnsTheSlot) {
    auto [tx, rx] = mpsc::channel<int>(1);
    {
        auto res = tx.reserve();
        auto p = poll_once(res);
        ASSERT_TRUE(p.is_ready());
        ASSERT_TRUE(p.value().is_ok());
        EXPECT_EQ(tx.capacity(), 0u);
        EXPECT_TRUE(tx.try_send(9).is_err());
        mpsc::Permit<int> permit = std::move(p.value()).value();
        std::move(permit).send(7);
    }
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(7));
    {
        auto permit = tx.try_reserve();
        ASSERT_TRUE(permit.is_ok());
        EXPECT_EQ(tx.capacity(), 0u);
    }
    EXPECT_EQ(tx.capacity(), 1u);
    EXPECT_TRUE(poll_recv(rx).is_pending());
}

TEST(MpscBounded, ReserveWaitsForSpace) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    auto res = tx.reserve();
    EXPECT_TRUE(poll_once(res, cw).is_pending());
    EXPECT_TRUE(poll_recv(rx).is_ready());
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_once(res, cw);
    ASSERT_TRUE(p.is_ready());
    std::move(p.value()).value().send(2);
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(2));
}

TEST(MpscBounded, TryReserveManyTakesAllOrNothing) {
    auto [tx, rx] = mpsc::channel<int>(3);
    {
        auto many = tx.try_reserve_many(2);
        ASSERT_TRUE(many.is_ok());
        EXPECT_EQ(many.value().len(), 2u);
        EXPECT_EQ(tx.capacity(), 1u);
        auto more = tx.try_reserve_many(2);
        ASSERT_TRUE(more.is_err());
        EXPECT_TRUE(more.error().is_full());
        EXPECT_EQ(tx.capacity(), 1u);  // nothing taken by the failed try
        std::optional<mpsc::Permit<int>> p1 = many.value().next();
        ASSERT_TRUE(p1.has_value());
        std::move(*p1).send(1);
        ASSERT_TRUE(many.value().next().has_value());  // dropped unused: its slot comes back
        EXPECT_FALSE(many.value().next().has_value());
        EXPECT_TRUE(many.value().is_empty());
    }
    EXPECT_EQ(tx.capacity(), 2u);
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(1));
    auto too_many = tx.try_reserve_many(4);  // more than the capacity: never
    ASSERT_TRUE(too_many.is_err());
    EXPECT_TRUE(too_many.error().is_full());
    auto none = tx.try_reserve_many(0);
    ASSERT_TRUE(none.is_ok());
    EXPECT_FALSE(none.value().next().has_value());
    rx.close();
    auto closed = tx.try_reserve_many(1);
    ASSERT_TRUE(closed.is_err());
    EXPECT_TRUE(closed.error().is_closed());
    EXPECT_TRUE(tx.try_reserve_many(0).is_err());
}

TEST(MpscBounded, ReserveManyWaitsInLineAndHoldsBackLaterSenders) {
    CountingWaker cw_many, cw_send;
    auto [tx, rx] = mpsc::channel<int>(2);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    ASSERT_TRUE(tx.try_send(2).is_ok());
    auto many = tx.reserve_many(2);
    auto s = tx.send(3);
    EXPECT_TRUE(poll_once(many, cw_many).is_pending());
    EXPECT_TRUE(poll_once(s, cw_send).is_pending());
    // One slot free: reserve_many keeps it and still waits; the send behind it too.
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(1));
    EXPECT_EQ(cw_many.wakes_total(), 0u);
    EXPECT_EQ(cw_send.wakes_total(), 0u);
    EXPECT_TRUE(tx.try_send(9).is_err());
    EXPECT_TRUE(poll_once(s, cw_send).is_pending());
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(2));
    EXPECT_EQ(cw_many.wakes_total(), 1u);
    {
        auto p = poll_once(many, cw_many);
        ASSERT_TRUE(p.is_ready() && p.value().is_ok());
        mpsc::PermitIterator<int> permits = std::move(p.value()).value();
        EXPECT_EQ(permits.len(), 2u);
        std::move(*permits.next()).send(4);
        EXPECT_EQ(cw_send.wakes_total(), 0u);
    }
    // The slot not handed out went back, to the waiting send.
    EXPECT_EQ(cw_send.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(s, cw_send).is_ready());
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(4));
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(3));
    EXPECT_TRUE(cw_many.balanced());
    EXPECT_TRUE(cw_send.balanced());
}

TEST(MpscBounded, ReserveManyBeyondTheCapacityFailsAtOnce) {
    auto [tx, rx] = mpsc::channel<int>(2);
    auto many = tx.reserve_many(3);
    auto p = poll_once(many);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_err());
    EXPECT_EQ(tx.capacity(), 2u);
    mpsc::Sender<int> empty;
    auto from_empty = empty.reserve_many(1);
    auto e = poll_once(from_empty);
    ASSERT_TRUE(e.is_ready());
    EXPECT_TRUE(e.value().is_err());
    EXPECT_TRUE(empty.try_reserve_many(0).error().is_closed());
}

TEST(MpscBounded, ReserveManyDestroyedHoldingPartOfItsSlotsPassesThemOn) {
    CountingWaker cw_many, cw_send;
    auto [tx, rx] = mpsc::channel<int>(2);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    ASSERT_TRUE(tx.try_send(2).is_ok());
    auto s = tx.send(3);
    {
        auto many = tx.reserve_many(2);
        EXPECT_TRUE(poll_once(many, cw_many).is_pending());
        EXPECT_TRUE(poll_once(s, cw_send).is_pending());
        EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(1));  // one slot, held by `many`
        EXPECT_EQ(cw_send.wakes_total(), 0u);
    }
    EXPECT_EQ(cw_send.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(s, cw_send).is_ready());
    EXPECT_EQ(tx.capacity(), 0u);
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(2));
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(3));
    EXPECT_EQ(tx.capacity(), 2u);
    EXPECT_TRUE(cw_many.balanced());
}

TEST(MpscBounded, ClosedChannelEndsOnceAPermitIteratorGivesItsSlotsBack) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(4);
    auto many = tx.try_reserve_many(3);
    ASSERT_TRUE(many.is_ok());
    rx.close();
    {
        Waker w = cw.waker();
        EXPECT_TRUE(poll_recv(rx, w).is_pending());  // 3 slots still out
    }
    std::move(*many.value().next()).send(5);
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(5));
    {
        Waker w = cw.waker();
        EXPECT_TRUE(poll_recv(rx, w).is_pending());
    }
    { auto drop = std::move(many.value()); }
    EXPECT_GE(cw.wakes_total(), 1u);
    EXPECT_FALSE(poll_recv(rx).value().has_value());
}

// --------------------------------------------------------- close and drop

TEST(MpscBounded, AllSendersDroppedWithValuesBufferedStillDeliversThemThenEnds) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(8);
    auto tx2 = tx;
    ASSERT_TRUE(tx.try_send(1).is_ok());
    ASSERT_TRUE(tx2.try_send(2).is_ok());
    EXPECT_FALSE(rx.is_closed());
    { auto a = std::move(tx); }
    EXPECT_FALSE(rx.is_closed());
    { auto b = std::move(tx2); }
    EXPECT_TRUE(rx.is_closed());
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(1));
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(2));
    auto p = poll_recv(rx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_FALSE(p.value().has_value());
    // And it stays ended.
    EXPECT_FALSE(poll_recv(rx).value().has_value());
}

TEST(MpscBounded, LastSenderDropWakesAWaitingReceiver) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(8);
    {
        Waker w = cw.waker();
        EXPECT_TRUE(poll_recv(rx, w).is_pending());
    }
    { auto drop = std::move(tx); }
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_FALSE(poll_recv(rx).value().has_value());
    EXPECT_TRUE(cw.balanced());
}

TEST(MpscBounded, ReceiverDroppedFailsWaitingSendersWithTheirValues) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<Probe>(1);
    ASSERT_TRUE(tx.try_send(Probe(alive, 0)).is_ok());
    auto s = tx.send(Probe(alive, 1));
    EXPECT_TRUE(poll_once(s, cw).is_pending());
    EXPECT_FALSE(tx.is_closed());
    { auto drop = std::move(rx); }
    EXPECT_EQ(*alive, 1);  // the buffered value died with the receiver
    EXPECT_TRUE(tx.is_closed());
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_once(s, cw);
    ASSERT_TRUE(p.is_ready());
    ASSERT_TRUE(p.value().is_err());
    EXPECT_EQ(p.value().error().value.value, 1);
    auto t = tx.try_send(Probe(alive, 2));
    EXPECT_TRUE(t.is_err() && t.error().is_closed());
    auto r = tx.reserve();
    auto rp = poll_once(r);
    ASSERT_TRUE(rp.is_ready());
    EXPECT_TRUE(rp.value().is_err());
}

TEST(MpscBounded, SendersOutlivingTheReceiverFreeEverything) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    {
        auto [tx, rx] = mpsc::channel<Probe>(100);
        for (int i = 0; i < 70; ++i) ASSERT_TRUE(tx.try_send(Probe(alive, i)).is_ok());
        { auto drop = std::move(rx); }
        EXPECT_EQ(*alive, 0);
    }
    {
        // Receiver last: values still buffered when the last sender goes.
        auto [tx, rx] = mpsc::channel<Probe>(100);
        for (int i = 0; i < 70; ++i) ASSERT_TRUE(tx.try_send(Probe(alive, i)).is_ok());
        { auto drop = std::move(tx); }
        EXPECT_EQ(*alive, 70);
    }
    EXPECT_EQ(*alive, 0);
}

TEST(MpscBounded, CloseKeepsBufferedValuesAndEndsWhenDrained) {
    auto [tx, rx] = mpsc::channel<int>(4);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    ASSERT_TRUE(tx.try_send(2).is_ok());
    rx.close();
    EXPECT_TRUE(rx.is_closed());
    EXPECT_TRUE(tx.is_closed());
    EXPECT_TRUE(tx.try_send(3).is_err());
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(1));
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(2));
    // Ended although a Sender is still alive.
    EXPECT_FALSE(poll_recv(rx).value().has_value());
    auto r = rx.try_recv();
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), mpsc::TryRecvError::Disconnected);
}

TEST(MpscBounded, CloseWaitsForPermitsAlreadyHeld) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(4);
    auto p1 = tx.try_reserve();
    auto p2 = tx.try_reserve();
    ASSERT_TRUE(p1.is_ok() && p2.is_ok());
    rx.close();
    {
        Waker w = cw.waker();
        EXPECT_TRUE(poll_recv(rx, w).is_pending());
    }
    std::move(p1.value()).send(5);
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(5));
    {
        Waker w = cw.waker();
        EXPECT_TRUE(poll_recv(rx, w).is_pending());
    }
    { auto drop = std::move(p2.value()); }
    EXPECT_EQ(cw.wakes_total(), 2u);
    EXPECT_FALSE(poll_recv(rx).value().has_value());
}

TEST(MpscBounded, ClosedFutureIsReadyOnceTheReceiverGoes) {
    CountingWaker cw1, cw2;
    auto [tx, rx] = mpsc::channel<int>(4);
    auto tx2 = tx;
    auto c1 = tx.closed();
    auto c2 = tx2.closed();
    EXPECT_TRUE(poll_once(c1, cw1).is_pending());
    EXPECT_TRUE(poll_once(c2, cw2).is_pending());
    { auto drop = std::move(rx); }
    EXPECT_EQ(cw1.wakes_total(), 1u);
    EXPECT_EQ(cw2.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(c1, cw1).is_ready());
    EXPECT_TRUE(poll_once(c2, cw2).is_ready());
    EXPECT_TRUE(cw1.balanced());
}

TEST(MpscBounded, ClosedFutureDestroyedMidWayReleasesItsWaker) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(4);
    {
        auto c = tx.closed();
        EXPECT_TRUE(poll_once(c, cw).is_pending());
        EXPECT_EQ(cw.live(), 1);
    }
    EXPECT_TRUE(cw.balanced());
    rx.close();
    EXPECT_EQ(cw.wakes_total(), 0u);
}

TEST(MpscBounded, WakersAreBalancedAfterAWaitingDance) {
    CountingWaker cw_rx, cw_tx;
    {
        auto [tx, rx] = mpsc::channel<int>(1);
        auto r1 = rx.recv();
        EXPECT_TRUE(poll_once(r1, cw_rx).is_pending());
        EXPECT_TRUE(poll_once(r1, cw_rx).is_pending());  // same task: kept
        ASSERT_TRUE(tx.try_send(1).is_ok());
        auto s = tx.send(2);
        EXPECT_TRUE(poll_once(s, cw_tx).is_pending());
        EXPECT_TRUE(poll_once(s, cw_tx).is_pending());
        EXPECT_TRUE(poll_once(r1, cw_rx).is_ready());
        EXPECT_TRUE(poll_once(s, cw_tx).is_ready());
        auto r2 = rx.recv();
        EXPECT_TRUE(poll_once(r2, cw_rx).is_ready());
        auto r3 = rx.recv();
        EXPECT_TRUE(poll_once(r3, cw_rx).is_pending());
    }
    EXPECT_TRUE(cw_rx.balanced());
    EXPECT_TRUE(cw_tx.balanced());
}

// The receiver's drop lets go of every waker the channel holds for it or for
// waiting senders, although senders live on: none of those tasks stays pinned.
TEST(MpscBounded, DroppingTheReceiverReleasesItsOwnWakerAtOnce) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(2);
    {
        auto r = rx.recv();
        EXPECT_TRUE(poll_once(r, cw).is_pending());
    }
    EXPECT_EQ(cw.live(), 1);  // registered for the next send
    { auto drop = std::move(rx); }
    EXPECT_TRUE(cw.balanced());
    EXPECT_EQ(cw.wakes_total(), 0u);
    EXPECT_TRUE(tx.is_closed());
}

TEST(MpscBounded, DroppingTheReceiverReleasesEveryWaitingSendersWakerAtOnce) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    CountingWaker cw_send, cw_reserve, cw_closed;
    auto [tx, rx] = mpsc::channel<Probe>(1);
    auto tx2 = tx;
    ASSERT_TRUE(tx.try_send(Probe(alive, 0)).is_ok());
    auto s = tx.send(Probe(alive, 1));
    auto r = tx2.reserve();
    auto c = tx2.closed();
    EXPECT_TRUE(poll_once(s, cw_send).is_pending());
    EXPECT_TRUE(poll_once(r, cw_reserve).is_pending());
    EXPECT_TRUE(poll_once(c, cw_closed).is_pending());
    EXPECT_EQ(cw_send.live() + cw_reserve.live() + cw_closed.live(), 3);
    { auto drop = std::move(rx); }
    // Before any of the futures is polled again or destroyed:
    EXPECT_TRUE(cw_send.balanced());
    EXPECT_TRUE(cw_reserve.balanced());
    EXPECT_TRUE(cw_closed.balanced());
    EXPECT_EQ(cw_send.wakes_total() + cw_reserve.wakes_total() + cw_closed.wakes_total(), 3u);
    auto sp = poll_once(s);
    ASSERT_TRUE(sp.is_ready() && sp.value().is_err());
    EXPECT_EQ(std::move(sp.value().error()).into_inner().value, 1);  // the value comes back
    auto rp = poll_once(r);
    ASSERT_TRUE(rp.is_ready());
    EXPECT_TRUE(rp.value().is_err());
    EXPECT_TRUE(poll_once(c).is_ready());
}

// A waker that throws (Rust: one that panics) stops nothing: every waiting
// sender is failed and woken, every `closed()` future too, then the
// exception leaves `close()`.
TEST(MpscBounded, AThrowingWakerInCloseStillReleasesEveryWaiter) {
    pollen::test::ThrowingWaker bad("bad");
    CountingWaker cw_send, cw_closed;
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(0).is_ok());
    {
        auto s1 = tx.send(1);
        auto s2 = tx.send(2);
        auto c = tx.closed();
        EXPECT_TRUE(poll_once(s1, bad.waker()).is_pending());
        EXPECT_TRUE(poll_once(s2, cw_send).is_pending());
        EXPECT_TRUE(poll_once(c, cw_closed).is_pending());
        EXPECT_THROW(rx.close(), pollen::test::WakeThrew);
        EXPECT_EQ(bad.wake_attempts(), 1u);
        EXPECT_EQ(cw_send.wakes_total(), 1u);
        EXPECT_EQ(cw_closed.wakes_total(), 1u);
        EXPECT_TRUE(poll_once(s1, cw_send).value().is_err());
        EXPECT_TRUE(poll_once(s2, cw_send).value().is_err());
        EXPECT_TRUE(poll_once(c, cw_closed).is_ready());
    }
    EXPECT_EQ(bad.live(), 0);
    EXPECT_TRUE(cw_send.balanced());
    EXPECT_TRUE(cw_closed.balanced());
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(0));
    EXPECT_FALSE(poll_recv(rx).value().has_value());
}

// ---------------------------------------------------------- recv_many, len

TEST(MpscBounded, RecvManyAppendsWhatIsThereUpToTheLimit) {
    auto [tx, rx] = mpsc::channel<int>(8);
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE(tx.try_send(i).is_ok());
    std::vector<int> buf{100};
    auto f = rx.recv_many(buf, 3);
    EXPECT_EQ(poll_once(f).value(), 3u);
    EXPECT_EQ(buf, (std::vector<int>{100, 1, 2, 3}));  // appended, the old content kept
    EXPECT_EQ(tx.capacity(), 6u);                       // their slots are free again
    auto g = rx.recv_many(buf, 10);
    EXPECT_EQ(poll_once(g).value(), 2u);
    EXPECT_EQ(buf, (std::vector<int>{100, 1, 2, 3, 4, 5}));
    EXPECT_EQ(tx.capacity(), 8u);
}

TEST(MpscBounded, RecvManyWaitsForAtLeastOneValue) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(4);
    std::vector<int> buf;
    auto f = rx.recv_many(buf, 4);
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    EXPECT_TRUE(buf.empty());
    ASSERT_TRUE(tx.try_send(7).is_ok());
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_EQ(poll_once(f, cw).value(), 1u);
    EXPECT_EQ(buf, std::vector<int>{7});
}

TEST(MpscBounded, RecvManyWithLimitZeroIsZeroAtOnceAndTakesNothing) {
    auto [tx, rx] = mpsc::channel<int>(4);
    std::vector<int> buf;
    {
        auto f = rx.recv_many(buf, 0);  // nothing there, still not pending
        EXPECT_EQ(poll_once(f).value(), 0u);
    }
    ASSERT_TRUE(tx.try_send(1).is_ok());
    auto f = rx.recv_many(buf, 0);
    EXPECT_EQ(poll_once(f).value(), 0u);
    EXPECT_TRUE(buf.empty());
    EXPECT_EQ(rx.len(), 1u);
}

TEST(MpscBounded, RecvManyIsZeroOnlyOnceClosedAndDrained) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(4);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    ASSERT_TRUE(tx.try_send(2).is_ok());
    auto permit = tx.try_reserve();
    ASSERT_TRUE(permit.is_ok());
    rx.close();
    std::vector<int> buf;
    {
        auto f = rx.recv_many(buf, 10);
        EXPECT_EQ(poll_once(f).value(), 2u);
    }
    auto f = rx.recv_many(buf, 10);
    EXPECT_TRUE(poll_once(f, cw).is_pending());  // a permit is still out
    std::move(permit.value()).send(3);
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_EQ(poll_once(f).value(), 1u);
    auto g = rx.recv_many(buf, 10);
    EXPECT_EQ(poll_once(g).value(), 0u);
    EXPECT_EQ(buf, (std::vector<int>{1, 2, 3}));
}

TEST(MpscBounded, RecvManyEndsWhenTheLastSenderGoes) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(4);
    std::vector<int> buf;
    auto f = rx.recv_many(buf, 4);
    EXPECT_TRUE(poll_once(f, cw).is_pending());
    { auto drop = std::move(tx); }
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_EQ(poll_once(f).value(), 0u);
}

TEST(MpscBounded, RecvManyHandsFreedSlotsToWaitingSenders) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(2);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    ASSERT_TRUE(tx.try_send(2).is_ok());
    auto s = tx.send(3);
    EXPECT_TRUE(poll_once(s, cw).is_pending());
    std::vector<int> buf;
    auto f = rx.recv_many(buf, 2);
    EXPECT_EQ(poll_once(f).value(), 2u);
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(s).is_ready());
    EXPECT_EQ(*rx.try_recv(), 3);
}

TEST(MpscBounded, LenCountsTheValuesWaitingToBeReceived) {
    auto [tx, rx] = mpsc::channel<int>(100);
    EXPECT_EQ(rx.len(), 0u);
    EXPECT_TRUE(rx.is_empty());
    for (int i = 0; i < 70; ++i) ASSERT_TRUE(tx.try_send(i).is_ok());  // three blocks
    EXPECT_EQ(rx.len(), 70u);
    EXPECT_FALSE(rx.is_empty());
    ASSERT_TRUE(rx.try_recv().is_ok());
    EXPECT_EQ(rx.len(), 69u);
    auto permit = tx.try_reserve();
    EXPECT_EQ(rx.len(), 69u);  // a reserved slot holds no value yet
    std::move(permit.value()).send(70);
    EXPECT_EQ(rx.len(), 70u);
    { auto drop = std::move(tx); }
    EXPECT_EQ(rx.len(), 70u);  // the end of the stream is no value
    std::vector<int> buf;
    auto f = rx.recv_many(buf, 100);
    EXPECT_EQ(poll_once(f).value(), 70u);
    EXPECT_EQ(rx.len(), 0u);
    EXPECT_FALSE(poll_recv(rx).value().has_value());
    EXPECT_EQ(rx.len(), 0u);
    EXPECT_TRUE(rx.is_empty());
}

// --------------------------------------------------------------- unbounded

TEST(MpscUnbounded, SendIsImmediateAndValuesArriveInOrder) {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(poll_recv(rx).value(), std::optional<int>(i));
    EXPECT_TRUE(poll_recv(rx).is_pending());
}

TEST(MpscUnbounded, SendAfterTheReceiverIsGoneGivesTheValueBack) {
    auto [tx, rx] = mpsc::unbounded_channel<std::string>();
    EXPECT_FALSE(tx.is_closed());
    { auto drop = std::move(rx); }
    EXPECT_TRUE(tx.is_closed());
    auto r = tx.send("x");
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error().value, "x");
}

TEST(MpscUnbounded, CloseLetsBufferedValuesThroughThenEnds) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    ASSERT_TRUE(tx.send(1).is_ok());
    auto c = tx.closed();
    EXPECT_TRUE(poll_once(c, cw).is_pending());
    rx.close();
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(c, cw).is_ready());
    EXPECT_TRUE(tx.send(2).is_err());
    EXPECT_EQ(poll_recv(rx).value(), std::optional<int>(1));
    EXPECT_FALSE(poll_recv(rx).value().has_value());
}

TEST(MpscUnbounded, LastSenderDropEndsTheStreamAfterTheValues) {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    auto tx2 = tx;
    ASSERT_TRUE(tx2.send(4).is_ok());
    { auto a = std::move(tx); auto b = std::move(tx2); }
    EXPECT_EQ(*rx.try_recv(), 4);
    EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Disconnected);
    EXPECT_FALSE(poll_recv(rx).value().has_value());
}

TEST(MpscUnbounded, DroppingTheReceiverReleasesEveryWakerAtOnce) {
    CountingWaker cw_rx, cw_closed;
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    {
        auto r = rx.recv();
        EXPECT_TRUE(poll_once(r, cw_rx).is_pending());
    }
    auto c = tx.closed();
    EXPECT_TRUE(poll_once(c, cw_closed).is_pending());
    { auto drop = std::move(rx); }
    EXPECT_TRUE(cw_rx.balanced());
    EXPECT_EQ(cw_rx.wakes_total(), 0u);
    EXPECT_TRUE(cw_closed.balanced());
    EXPECT_EQ(cw_closed.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(c).is_ready());
    auto sent = tx.send(3);
    ASSERT_TRUE(sent.is_err());
    EXPECT_EQ(sent.error().value, 3);
}

TEST(MpscUnbounded, RecvManyTakesValuesInOrderAcrossBlocks) {
    auto [tx, rx] = mpsc::unbounded_channel<std::string>();
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(tx.send(std::to_string(i)).is_ok());
    EXPECT_EQ(rx.len(), 100u);
    std::vector<std::string> buf;
    auto f = rx.recv_many(buf, 1000);
    EXPECT_EQ(poll_once(f).value(), 100u);
    ASSERT_EQ(buf.size(), 100u);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(buf[std::size_t(i)], std::to_string(i));
    EXPECT_TRUE(rx.is_empty());
    { auto drop = std::move(tx); }
    auto g = rx.recv_many(buf, 1000);
    EXPECT_EQ(poll_once(g).value(), 0u);
}

TEST(MpscUnbounded, LenCountsTheValuesWaitingToBeReceived) {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    EXPECT_TRUE(rx.is_empty());
    ASSERT_TRUE(tx.send(1).is_ok());
    ASSERT_TRUE(tx.send(2).is_ok());
    EXPECT_EQ(rx.len(), 2u);
    rx.close();
    EXPECT_EQ(rx.len(), 2u);
    EXPECT_EQ(*rx.try_recv(), 1);
    EXPECT_EQ(rx.len(), 1u);
}

// ---------------------------------------------------------------- threads

TEST(MpscBlocking, PlainThreadsSendAndReceiveWithBackpressure) {
    constexpr int kThreads = 4, kPer = 20'000;
    auto [tx, rx] = mpsc::channel<std::uint64_t>(8);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([tx = tx, t] {
            for (int i = 0; i < kPer; ++i)
                if (tx.blocking_send(std::uint64_t(t) * kPer + i + 1).is_err()) std::abort();
        });
    { auto drop = std::move(tx); }
    std::uint64_t count = 0, sum = 0;
    while (auto v = rx.blocking_recv()) {
        ++count;
        sum += *v;
    }
    for (auto& th : threads) th.join();
    const std::uint64_t n = std::uint64_t(kThreads) * kPer;
    EXPECT_EQ(count, n);
    EXPECT_EQ(sum, n * (n + 1) / 2);
}

TEST(MpscBlocking, BlockingSendFailsOnceTheReceiverIsGone) {
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    std::thread closer([rx = std::move(rx)]() mutable {
        std::this_thread::yield();
        auto drop = std::move(rx);
    });
    auto r = tx.blocking_send(2);
    closer.join();
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error().value, 2);
}

TEST(MpscBlocking, UnboundedBlockingRecvFromAPlainThread) {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    std::thread producer([tx = std::move(tx)] {
        for (int i = 1; i <= 10'000; ++i) (void)tx.send(i);
    });
    long sum = 0;
    while (auto v = rx.blocking_recv()) sum += *v;
    producer.join();
    EXPECT_EQ(sum, 10'000L * 10'001 / 2);
}

TEST(MpscStress, FourProducerTasksThroughASmallBoundedChannel) {
    constexpr std::uint64_t kProducers = 5;
    const std::uint64_t kPer = pollen::test::stress_scaled<std::uint64_t>(25'000);
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto [tx, rx] = mpsc::channel<std::uint64_t>(16);
    std::vector<JoinHandle<void>> handles;
    for (std::uint64_t p = 0; p < kProducers; ++p)
        handles.push_back(rt.spawn(Producer<std::uint64_t>(tx, p * kPer + 1, kPer)));
    { auto drop = std::move(tx); }
    auto [count, sum] = rt.block_on(Consumer<mpsc::Receiver<std::uint64_t>>(rx));
    const std::uint64_t n = kProducers * kPer;
    EXPECT_EQ(count, n);
    EXPECT_EQ(sum, n * (n + 1) / 2);
    for (auto& h : handles) EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
}

// Regression: the receiver armed its wake-up flag before registering its
// waker, so a sender whose value the receiver had just taken could take the
// flag down in that gap, wake nobody, and leave the next sender thinking
// nobody waits: about one round in 250 hung with the channel full.
// Many short rounds with the receiver on the block_on thread (every wake a
// cross-thread one); a round that stalls fails instead of hanging.
TEST(MpscStress, ReceiverOnTheBlockOnThreadNeverMissesAWakeRoundAfterRound) {
    using namespace std::chrono_literals;
    constexpr std::uint64_t kProducers = 5, kPer = 1000;
    const std::uint64_t kRounds = pollen::test::stress_scaled<std::uint64_t>(600);
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    for (std::uint64_t round = 0; round < kRounds; ++round) {
        auto [tx, rx] = mpsc::channel<std::uint64_t>(100);
        for (std::uint64_t p = 0; p < kProducers; ++p)
            (void)rt.spawn(Producer<std::uint64_t>(tx, p * kPer + 1, kPer));
        { auto drop = std::move(tx); }
        auto r = rt.block_on(time::timeout(30s, Consumer<mpsc::Receiver<std::uint64_t>>(rx)));
        ASSERT_TRUE(r.is_ok()) << "round " << round << ": the receiver was never woken";
        ASSERT_EQ(r->first, kProducers * kPer);
    }
}

TEST(MpscStress, ProducerTasksThroughALargeBoundedChannel) {
    constexpr std::uint64_t kProducers = 4, kPer = 25'000;
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto [tx, rx] = mpsc::channel<std::uint64_t>(1'000'000);
    for (std::uint64_t p = 0; p < kProducers; ++p)
        (void)rt.spawn(Producer<std::uint64_t>(tx, p * kPer + 1, kPer));
    { auto drop = std::move(tx); }
    auto [count, sum] = rt.block_on(Consumer<mpsc::Receiver<std::uint64_t>>(rx));
    const std::uint64_t n = kProducers * kPer;
    EXPECT_EQ(count, n);
    EXPECT_EQ(sum, n * (n + 1) / 2);
}

namespace {
/// Unbounded producer: sends its range, yielding now and then.
class UnboundedProducer : public FutureExt<UnboundedProducer> {
public:
    using Output = void;
    UnboundedProducer(mpsc::UnboundedSender<std::uint64_t> tx, std::uint64_t first, std::uint64_t n)
        : tx_(std::move(tx)), next_(first), end_(first + n) {}
    Poll<void> poll(Context& cx) {
        for (int burst = 0; next_ < end_; ++next_) {
            if (++burst == 64) {
                cx.waker().wake_by_ref();
                return pending;
            }
            if (tx_.send(next_).is_err()) std::abort();
        }
        return ready();
    }

private:
    mpsc::UnboundedSender<std::uint64_t> tx_;
    std::uint64_t next_, end_;
};

/// Sends through futures it destroys at random points: every value is
/// either received or destroyed unsent, exactly once.
class CancellingProducer : public FutureExt<CancellingProducer> {
public:
    using Output = std::uint64_t;  // how many it completed
    CancellingProducer(mpsc::Sender<Probe> tx, std::shared_ptr<std::atomic<int>> alive, int n, unsigned seed)
        : tx_(std::move(tx)), alive_(std::move(alive)), left_(n), seed_(seed) {}
    CancellingProducer(CancellingProducer&& o) noexcept
        : tx_(std::move(o.tx_)), alive_(std::move(o.alive_)), left_(o.left_), seed_(o.seed_) {}
    Poll<std::uint64_t> poll(Context& cx) {
        while (left_ > 0) {
            if (!send_) send_.emplace(tx_.send(Probe(alive_, 1)));
            auto p = send_->poll(cx);
            if (p.is_pending()) {
                seed_ = seed_ * 1103515245 + 12345;
                if ((seed_ >> 16) % 3 == 0) {  // give up on this one
                    send_.reset();
                    --left_;
                    continue;
                }
                return pending;
            }
            if (p.value().is_ok()) ++sent_;
            send_.reset();
            --left_;
        }
        return ready(sent_);
    }

private:
    mpsc::Sender<Probe> tx_;
    std::shared_ptr<std::atomic<int>> alive_;
    int left_;
    unsigned seed_;
    std::uint64_t sent_ = 0;
    std::optional<mpsc::Send<Probe>> send_;
};

class ProbeConsumer : public FutureExt<ProbeConsumer> {
public:
    using Output = std::uint64_t;
    explicit ProbeConsumer(mpsc::Receiver<Probe>& rx) : rx_(&rx) {}
    Poll<std::uint64_t> poll(Context& cx) {
        for (;;) {
            auto p = rx_->poll_recv(cx);
            if (p.is_pending()) return pending;
            if (!p.value()) return ready(count_);
            count_ += p.value()->value;
        }
    }

private:
    mpsc::Receiver<Probe>* rx_;
    std::uint64_t count_ = 0;
};
}  // namespace

TEST(MpscStress, UnboundedProducerTasks) {
    constexpr std::uint64_t kProducers = 4, kPer = 25'000;
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto [tx, rx] = mpsc::unbounded_channel<std::uint64_t>();
    for (std::uint64_t p = 0; p < kProducers; ++p)
        (void)rt.spawn(UnboundedProducer(tx, p * kPer + 1, kPer));
    { auto drop = std::move(tx); }
    auto [count, sum] = rt.block_on(Consumer<mpsc::UnboundedReceiver<std::uint64_t>>(rx));
    const std::uint64_t n = kProducers * kPer;
    EXPECT_EQ(count, n);
    EXPECT_EQ(sum, n * (n + 1) / 2);
}

TEST(MpscStress, SendsCancelledMidWayNeitherLoseNorDuplicateNorStick) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    std::uint64_t completed = 0, received = 0;
    {
        auto [tx, rx] = mpsc::channel<Probe>(2);
        std::vector<JoinHandle<std::uint64_t>> handles;
        for (unsigned p = 0; p < 4; ++p)
            handles.push_back(rt.spawn(CancellingProducer(tx, alive, 10'000, p + 1)));
        { auto drop = std::move(tx); }
        received = rt.block_on(ProbeConsumer(rx));
        for (auto& h : handles) completed += rt.block_on(std::move(h)).value();
        EXPECT_EQ(rx.max_capacity(), rx.capacity());  // every slot came back
    }
    EXPECT_EQ(received, completed);
    EXPECT_GT(received, 0u);
    EXPECT_EQ(*alive, 0);
}

namespace {
/// Receives with recv_many until the end; Ready with (count, sum).
template <class Rx>
class ManyConsumer : public FutureExt<ManyConsumer<Rx>> {
public:
    using Output = std::pair<std::uint64_t, std::uint64_t>;
    explicit ManyConsumer(Rx& rx) : rx_(&rx) {}
    Poll<Output> poll(Context& cx) {
        for (;;) {
            buf_.clear();
            auto p = rx_->poll_recv_many(cx, buf_, 37);
            if (p.is_pending()) return pending;
            if (p.value() == 0) return ready(Output{count_, sum_});
            if (p.value() != buf_.size() || p.value() > 37) std::abort();
            for (std::uint64_t v : buf_) sum_ += v;
            count_ += buf_.size();
        }
    }

private:
    Rx* rx_;
    std::vector<std::uint64_t> buf_;
    std::uint64_t count_ = 0, sum_ = 0;
};
}  // namespace

TEST(MpscStress, RecvManyFromProducerTasksThroughASmallBoundedChannel) {
    constexpr std::uint64_t kProducers = 5, kPer = 20'000;
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto [tx, rx] = mpsc::channel<std::uint64_t>(16);
    for (std::uint64_t p = 0; p < kProducers; ++p)
        (void)rt.spawn(Producer<std::uint64_t>(tx, p * kPer + 1, kPer));
    { auto drop = std::move(tx); }
    auto [count, sum] = rt.block_on(ManyConsumer<mpsc::Receiver<std::uint64_t>>(rx));
    const std::uint64_t n = kProducers * kPer;
    EXPECT_EQ(count, n);
    EXPECT_EQ(sum, n * (n + 1) / 2);
    EXPECT_EQ(rx.capacity(), rx.max_capacity());
}

TEST(MpscStress, UnboundedRecvManyFromProducerTasks) {
    constexpr std::uint64_t kProducers = 4, kPer = 25'000;
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto [tx, rx] = mpsc::unbounded_channel<std::uint64_t>();
    for (std::uint64_t p = 0; p < kProducers; ++p)
        (void)rt.spawn(UnboundedProducer(tx, p * kPer + 1, kPer));
    { auto drop = std::move(tx); }
    auto [count, sum] = rt.block_on(ManyConsumer<mpsc::UnboundedReceiver<std::uint64_t>>(rx));
    const std::uint64_t n = kProducers * kPer;
    EXPECT_EQ(count, n);
    EXPECT_EQ(sum, n * (n + 1) / 2);
    EXPECT_TRUE(rx.is_empty());
}
