// Dropping channel handles early (Rust's `drop(tx)`), spelled `tx = {}` or
// `pollen::drop(std::move(tx))`, and what an empty handle answers: as a
// handle of a closed channel, or, where there is no such answer, a stop with
// a message.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/drop.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

namespace {

template <class Rx>
auto poll_recv(Rx& rx, const Waker& w = noop_waker_ref()) {
    Context cx(w);
    return rx.poll_recv(cx);
}

/// Polls a pending recv, drops the last sender with `drop_it`, and checks
/// that the receiver was woken and its stream has ended.
template <class Tx, class Rx, class DropIt>
void expect_dropping_the_last_sender_ends_the_stream(Tx& tx, Rx& rx, DropIt drop_it) {
    CountingWaker cw;
    {
        Waker w = cw.waker();
        EXPECT_TRUE(poll_recv(rx, w).is_pending());
    }
    drop_it(tx);
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_recv(rx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_FALSE(p.value().has_value());
    EXPECT_TRUE(rx.is_closed());
    EXPECT_TRUE(cw.balanced());
}

constexpr auto assign_empty = [](auto& tx) { tx = {}; };
constexpr auto drop_moved = [](auto& tx) { pollen::drop(std::move(tx)); };

}  // namespace

// ------------------------------------------------------------------ mpsc, bounded

TEST(MpscDrop, AssigningEmptyToTheLastSenderEndsTheReceiversStream) {
    auto [tx, rx] = mpsc::channel<int>(4);
    expect_dropping_the_last_sender_ends_the_stream(tx, rx, assign_empty);
}

TEST(MpscDrop, PollenDropOfTheLastSenderEndsTheReceiversStream) {
    auto [tx, rx] = mpsc::channel<int>(4);
    expect_dropping_the_last_sender_ends_the_stream(tx, rx, drop_moved);
}

TEST(MpscDrop, ValuesSentBeforeTheDropAreStillReceived) {
    auto [tx, rx] = mpsc::channel<std::string>(4);
    ASSERT_TRUE(tx.try_send("a").is_ok());
    ASSERT_TRUE(tx.try_send("b").is_ok());
    tx = {};
    EXPECT_EQ(rx.blocking_recv(), std::optional<std::string>("a"));
    EXPECT_EQ(rx.blocking_recv(), std::optional<std::string>("b"));
    EXPECT_EQ(rx.blocking_recv(), std::nullopt);
}

TEST(MpscDrop, DroppingOneOfTwoSendersKeepsTheChannelOpen) {
    auto [tx, rx] = mpsc::channel<int>(4);
    mpsc::Sender<int> tx2 = tx;
    pollen::drop(std::move(tx));
    EXPECT_FALSE(rx.is_closed());
    ASSERT_TRUE(tx2.try_send(5).is_ok());
    tx2 = {};
    EXPECT_EQ(rx.blocking_recv(), std::optional<int>(5));
    EXPECT_EQ(rx.blocking_recv(), std::nullopt);
}

TEST(MpscDrop, AnEmptySenderAnswersAsASenderOfAClosedChannel) {
    mpsc::Sender<std::string> tx;
    EXPECT_TRUE(tx.is_closed());
    EXPECT_EQ(tx.capacity(), 0u);
    EXPECT_EQ(tx.max_capacity(), 0u);
    EXPECT_FALSE(tx.same_channel(tx));

    auto t = tx.try_send("kept");
    ASSERT_TRUE(t.is_err());
    EXPECT_TRUE(t.error().is_closed());
    EXPECT_EQ(t.error().value, "kept");

    auto send = tx.send("back");
    auto s = poll_once(send);
    ASSERT_TRUE(s.is_ready());
    ASSERT_TRUE(s.value().is_err());
    EXPECT_EQ(s.value().error().value, "back");

    auto reserve = tx.reserve();
    auto r = poll_once(reserve);
    ASSERT_TRUE(r.is_ready());
    EXPECT_TRUE(r.value().is_err());
    auto tr = tx.try_reserve();
    ASSERT_TRUE(tr.is_err());
    EXPECT_TRUE(tr.error().is_closed());

    EXPECT_TRUE(tx.blocking_send("x").is_err());
    auto closed = tx.closed();
    EXPECT_TRUE(poll_once(closed).is_ready());

    mpsc::Sender<std::string> copy = tx;  // a copy of nothing is nothing
    EXPECT_TRUE(copy.is_closed());
}

TEST(MpscDrop, AnEmptyReceiverHasEnded) {
    mpsc::Receiver<int> rx;
    auto p = poll_recv(rx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_FALSE(p.value().has_value());
    auto fut = rx.recv();
    EXPECT_EQ(poll_once(fut).value(), std::nullopt);
    EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Disconnected);
    EXPECT_EQ(rx.blocking_recv(), std::nullopt);
    EXPECT_TRUE(rx.is_closed());
    EXPECT_EQ(rx.capacity(), 0u);
    EXPECT_EQ(rx.max_capacity(), 0u);
    EXPECT_EQ(rx.len(), 0u);
    EXPECT_TRUE(rx.is_empty());
    std::vector<int> buf;
    auto many = rx.recv_many(buf, 8);
    EXPECT_EQ(poll_once(many).value(), 0u);
    rx.close();  // nothing to close
}

TEST(MpscDrop, AssigningEmptyToTheReceiverClosesTheChannelForSenders) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(1);
    auto closed = tx.closed();
    EXPECT_TRUE(poll_once(closed, cw).is_pending());
    rx = {};
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(closed).is_ready());
    auto t = tx.try_send(1);
    ASSERT_TRUE(t.is_err());
    EXPECT_TRUE(t.error().is_closed());
}

TEST(MpscDrop, AnEmptyHandleTakesANewChannelByAssignment) {
    mpsc::Sender<int> tx;
    mpsc::Receiver<int> rx;
    std::tie(tx, rx) = mpsc::channel<int>(2);
    ASSERT_TRUE(tx.try_send(9).is_ok());
    EXPECT_EQ(rx.try_recv().value(), 9);
    EXPECT_TRUE(tx.same_channel(tx));
}

// ------------------------------------------------------------------ mpsc, unbounded

TEST(MpscUnboundedDrop, AssigningEmptyToTheLastSenderEndsTheReceiversStream) {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    expect_dropping_the_last_sender_ends_the_stream(tx, rx, assign_empty);
}

TEST(MpscUnboundedDrop, PollenDropOfTheLastSenderEndsTheReceiversStream) {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    expect_dropping_the_last_sender_ends_the_stream(tx, rx, drop_moved);
}

TEST(MpscUnboundedDrop, AnEmptySenderFailsWithTheValueBack) {
    mpsc::UnboundedSender<std::string> tx;
    auto r = tx.send("v");
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error().value, "v");
    EXPECT_TRUE(tx.is_closed());
    EXPECT_FALSE(tx.same_channel(tx));
    auto closed = tx.closed();
    EXPECT_TRUE(poll_once(closed).is_ready());
}

TEST(MpscUnboundedDrop, AnEmptyReceiverHasEndedAndDroppingOneClosesTheChannel) {
    mpsc::UnboundedReceiver<int> empty;
    EXPECT_EQ(poll_recv(empty).value(), std::nullopt);
    EXPECT_TRUE(empty.is_empty());
    std::vector<int> buf;
    auto many = empty.recv_many(buf, 8);
    EXPECT_EQ(poll_once(many).value(), 0u);
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    pollen::drop(std::move(rx));
    EXPECT_TRUE(tx.is_closed());
    EXPECT_TRUE(tx.send(1).is_err());
}

// ------------------------------------------------------------------ oneshot

TEST(OneshotDrop, DroppingTheSenderEarlyGivesTheReceiverRecvError) {
    CountingWaker cw;
    auto [tx, rx] = oneshot::channel<int>();
    EXPECT_TRUE(poll_once(rx, cw).is_pending());
    tx = {};
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_once(rx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value().error(), oneshot::RecvError{});
}

TEST(OneshotDrop, DroppingTheReceiverClosesTheSender) {
    auto [tx, rx] = oneshot::channel<std::string>();
    pollen::drop(std::move(rx));
    EXPECT_TRUE(tx.is_closed());
    auto r = std::move(tx).send("back");
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), "back");
}

TEST(OneshotDrop, AnEmptySenderIsOneThatHasSent) {
    oneshot::Sender<int> tx;
    EXPECT_TRUE(tx.is_closed());
    auto closed = tx.closed();
    EXPECT_TRUE(poll_once(closed).is_ready());
    auto r = std::move(tx).send(3);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), 3);
}

TEST(OneshotDrop, AnEmptyReceiverIsOneThatHasReceived) {
    oneshot::Receiver<int> rx;
    EXPECT_EQ(rx.try_recv().error(), oneshot::TryRecvError::Closed);
    rx.close();  // nothing to close
}

TEST(OneshotDropDeathTest, PollingAnEmptyReceiverStopsWithAMessage) {
    oneshot::Receiver<int> rx;
    EXPECT_DEATH((void)poll_once(rx), "oneshot::Receiver::poll called on an empty channel handle");
}

// ------------------------------------------------------------------ broadcast

TEST(BroadcastDrop, DroppingTheLastSenderEarlyClosesAfterTheValuesLeft) {
    auto [tx, rx] = broadcast::channel<int>(4);
    ASSERT_TRUE(tx.send(1).is_ok());
    broadcast::Sender<int> tx2 = tx;
    tx = {};
    EXPECT_FALSE(rx.is_closed());
    pollen::drop(std::move(tx2));
    EXPECT_TRUE(rx.is_closed());
    EXPECT_EQ(rx.try_recv().value(), 1);
    EXPECT_TRUE(rx.try_recv().error().is_closed());
}

TEST(BroadcastDrop, DroppingAReceiverEarlyLeavesNoneToSendTo) {
    auto [tx, rx] = broadcast::channel<int>(4);
    EXPECT_EQ(tx.receiver_count(), 1u);
    rx = {};
    EXPECT_EQ(tx.receiver_count(), 0u);
    auto r = tx.send(7);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error().value, 7);
}

TEST(BroadcastDrop, EmptyHandlesAnswerAsOnesOfAClosedChannel) {
    broadcast::Sender<int> tx;
    EXPECT_EQ(tx.send(4).error().value, 4);
    EXPECT_EQ(tx.receiver_count(), 0u);
    EXPECT_EQ(tx.len(), 0u);
    EXPECT_FALSE(tx.same_channel(tx));
    broadcast::Sender<int> copy = tx;
    EXPECT_EQ(copy.receiver_count(), 0u);
    EXPECT_TRUE(tx.is_closed());
    auto closed = tx.closed();
    EXPECT_TRUE(poll_once(closed).is_ready());

    broadcast::Receiver<int> rx = tx.subscribe();
    EXPECT_TRUE(rx.is_closed());
    EXPECT_EQ(rx.len(), 0u);
    EXPECT_TRUE(rx.try_recv().error().is_closed());
    auto fut = rx.recv();
    auto p = poll_once(fut);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().error().is_closed());
    EXPECT_TRUE(rx.blocking_recv().error().is_closed());
    EXPECT_TRUE(rx.resubscribe().is_closed());
}

// ------------------------------------------------------------------ watch

TEST(WatchDrop, DroppingTheSenderEarlyEndsChanged) {
    CountingWaker cw;
    auto [tx, rx] = watch::channel<int>(0);
    auto changed = rx.changed();
    EXPECT_TRUE(poll_once(changed, cw).is_pending());
    tx = {};
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_once(changed);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_err());
}

TEST(WatchDrop, DroppingOneOfTwoSendersKeepsTheChannelOpen) {
    auto [tx, rx] = watch::channel<int>(0);
    auto tx2 = tx;
    tx = {};
    EXPECT_TRUE(rx.has_changed().is_ok());
    ASSERT_TRUE(tx2.send(1).is_ok());
    pollen::drop(std::move(tx2));
    EXPECT_TRUE(rx.has_changed().is_err());
    EXPECT_EQ(*rx.borrow(), 1);
}

TEST(WatchDrop, DroppingTheLastReceiverEarlyMakesClosedReady) {
    CountingWaker cw;
    auto [tx, rx] = watch::channel<int>(0);
    auto rx2 = rx;
    auto closed = tx.closed();
    EXPECT_TRUE(poll_once(closed, cw).is_pending());
    pollen::drop(std::move(rx));
    EXPECT_EQ(cw.wakes_total(), 0u);
    rx2 = {};
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(closed).is_ready());
    EXPECT_TRUE(tx.send(1).is_err());
}

TEST(WatchDrop, EmptyHandlesAnswerAsOnesOfAClosedChannel) {
    watch::Sender<int> tx;
    EXPECT_EQ(tx.send(5).error().value, 5);
    EXPECT_EQ(tx.receiver_count(), 0u);
    EXPECT_EQ(tx.sender_count(), 0u);
    EXPECT_FALSE(tx.same_channel(tx));
    EXPECT_TRUE(tx.is_closed());
    auto closed = tx.closed();
    EXPECT_TRUE(poll_once(closed).is_ready());

    watch::Receiver<int> rx = tx.subscribe();
    EXPECT_TRUE(rx.has_changed().is_err());
    auto changed = rx.changed();
    auto p = poll_once(changed);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_err());
    rx.mark_changed();  // nothing to mark
    EXPECT_TRUE(rx.has_changed().is_err());
    watch::Receiver<int> copy = rx;
    EXPECT_FALSE(copy.same_channel(rx));
}

TEST(WatchDropDeathTest, BorrowingFromAnEmptyReceiverStopsWithAMessage) {
    watch::Receiver<int> rx;
    EXPECT_DEATH((void)rx.borrow(), "watch::Receiver::borrow called on an empty channel handle");
}

TEST(WatchDropDeathTest, ModifyingThroughAnEmptySenderStopsWithAMessage) {
    watch::Sender<int> tx;
    EXPECT_DEATH(tx.send_modify([](int& v) { ++v; }),
                 "watch::Sender::send_if_modified called on an empty channel handle");
}
