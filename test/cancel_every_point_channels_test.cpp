// Cancellation at every point, channels: each channel future destroyed after
// every poll and every step of the other side, then the channel is drained
// and checked: where Tokio promises cancel safety (mpsc recv, broadcast recv,
// watch changed, reserve, reserve_many) no value is lost or duplicated, a destroyed send
// never sends, and every slot of a bounded channel comes back.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>

using namespace pollen;
using pollen::testing::cancel_at_every_point;

namespace {

/// A value that counts how many of its kind are alive, so "the destroyed
/// future destroyed the value it carried" is checkable.
struct Counted {
    std::shared_ptr<int> live;
    int v;
    Counted(std::shared_ptr<int> l, int value) : live(std::move(l)), v(value) { ++*live; }
    Counted(const Counted& o) : live(o.live), v(o.v) { ++*live; }
    Counted(Counted&& o) noexcept : live(o.live), v(o.v) { ++*live; }
    Counted& operator=(const Counted&) = delete;
    ~Counted() { --*live; }
};

}  // namespace

TEST(CancelEveryPointChannels, OneshotRecvDestroysAnUnreadValueWithTheReceiver) {
    auto live = std::make_shared<int>(0);
    std::optional<oneshot::Sender<Counted>> tx;
    std::optional<oneshot::Receiver<Counted>> rx;
    auto r = cancel_at_every_point([&] { return std::move(*rx); })
                 .setup([&] {
                     auto [t, x] = oneshot::channel<Counted>();
                     tx.emplace(std::move(t));
                     rx.emplace(std::move(x));
                 })
                 .step([&] { (void)std::move(*tx).send(Counted(live, 7)); })
                 .on_output([](Result<Counted, oneshot::RecvError>& v) { return v.is_ok() && v->v == 7; })
                 .invariant("no value outlives both halves", [&] {
                     tx.reset();
                     rx.reset();
                     return *live == 0;
                 })
                 // The channel keeps the receiver's last waker until both
                 // halves are gone (Tokio's oneshot does the same).
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointChannels, OneshotSenderClosed) {
    std::optional<oneshot::Sender<int>> tx;
    std::optional<oneshot::Receiver<int>> rx;
    auto r = cancel_at_every_point([&] { return tx->closed(); })
                 .setup([&] {
                     auto [t, x] = oneshot::channel<int>();
                     tx.emplace(std::move(t));
                     rx.emplace(std::move(x));
                 })
                 .step([&] { rx.reset(); })
                 .teardown([&] {
                     tx.reset();
                     rx.reset();
                 })
                 .wakers_released_by_teardown()  // kept in the channel, as the receiver's is
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

namespace {

/// A bounded mpsc channel and every value that came out of it.
struct MpscWorld {
    std::optional<mpsc::Sender<int>> tx;
    std::optional<mpsc::Receiver<int>> rx;
    std::vector<int> sent, received;
    void reset(std::size_t capacity) {
        tx.reset();
        rx.reset();
        auto [t, x] = mpsc::channel<int>(capacity);
        tx.emplace(std::move(t));
        rx.emplace(std::move(x));
        sent.clear();
        received.clear();
    }
    void try_send(int v) {
        if (tx->try_send(v).is_ok()) sent.push_back(v);
    }
    void try_recv() {
        if (auto v = rx->try_recv(); v.is_ok()) received.push_back(*v);
    }
    /// Everything received plus what is left: each sent value exactly once, in order.
    bool nothing_lost_or_doubled() {
        while (true) {
            auto v = rx->try_recv();
            if (v.is_err()) break;
            received.push_back(*v);
        }
        return received == sent;
    }
};

}  // namespace

TEST(CancelEveryPointChannels, MpscRecvIsCancelSafe) {
    MpscWorld w;
    auto r = cancel_at_every_point([&] { return w.rx->recv(); })
                 .setup([&] { w.reset(4); })
                 .step([&](const pollen::testing::Step& s) { w.try_send(int(s.index())); })
                 .on_output([&](std::optional<int>& v) {
                     if (v) w.received.push_back(*v);
                     return v.has_value();
                 })
                 .invariant("every sent value received exactly once", [&] { return w.nothing_lost_or_doubled(); })
                 // The channel keeps the receiver's waker slot (Tokio's rx_waker) until it goes.
                 .teardown([&] { w.reset(1); })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointChannels, MpscRecvManyIsCancelSafe) {
    MpscWorld w;
    std::vector<int> buf;
    auto r = cancel_at_every_point([&] { return w.rx->recv_many(buf, 3); })
                 .setup([&] {
                     w.reset(4);
                     buf.clear();
                 })
                 .step([&](const pollen::testing::Step& s) {
                     w.try_send(int(s.index()) * 2);
                     w.try_send(int(s.index()) * 2 + 1);
                 })
                 .on_output([&](std::size_t& n) {
                     if (n != buf.size()) return false;
                     w.received.insert(w.received.end(), buf.begin(), buf.end());
                     return n > 0 && n <= 3;
                 })
                 // A destroyed recv_many took nothing: what is not in the
                 // buffer of a Ready one is still in the channel.
                 .invariant("every sent value received exactly once", [&] { return w.nothing_lost_or_doubled(); })
                 .teardown([&] { w.reset(1); })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointChannels, MpscRecvOfAClosingChannel) {
    MpscWorld w;
    auto r = cancel_at_every_point([&] { return w.rx->recv(); })
                 .setup([&] { w.reset(1); })
                 .step([&] { w.tx.reset(); })  // the last sender goes: recv ends
                 .on_output([](std::optional<int>& v) { return !v.has_value(); })
                 .teardown([&] { w.reset(1); })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointChannels, MpscSendNeverSendsWhenDestroyedAndGivesItsSlotBack) {
    MpscWorld w;
    bool completed = false;
    auto r = cancel_at_every_point([&] { return w.tx->send(2); })
                 .setup([&] {
                     w.reset(1);
                     w.try_send(1);  // full
                     completed = false;
                 })
                 .step([&] { w.try_recv(); })
                 .on_output([&](Result<void, mpsc::SendError<int>>& res) {
                     if (res.is_ok()) w.sent.push_back(2);
                     return completed = res.is_ok();
                 })
                 .invariant("each value received once, the destroyed one never", [&] { return w.nothing_lost_or_doubled(); })
                 .invariant("every slot back", [&] { return w.tx->capacity() == 1; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointChannels, MpscReserveGivesItsSlotBack) {
    MpscWorld w;
    auto r = cancel_at_every_point([&] { return w.tx->reserve(); })
                 .setup([&] {
                     w.reset(2);
                     w.try_send(1);
                     w.try_send(2);
                 })
                 .step([&] { w.try_recv(); })
                 .on_output([&](auto& permit) {
                     if (permit.is_err()) return false;
                     std::move(*permit).send(3);
                     w.sent.push_back(3);
                     return true;
                 })
                 .invariant("each value received once", [&] { return w.nothing_lost_or_doubled(); })
                 .invariant("every slot back", [&] { return w.tx->capacity() == 2; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

// Destroyed holding none, some or all of its 2 slots: every one comes back.
TEST(CancelEveryPointChannels, MpscReserveManyGivesItsSlotsBack) {
    MpscWorld w;
    auto r = cancel_at_every_point([&] { return w.tx->reserve_many(2); })
                 .setup([&] {
                     w.reset(3);
                     w.try_send(1);
                     w.try_send(2);
                     w.try_send(3);
                 })
                 .step([&] { w.try_recv(); })
                 .on_output([&](auto& permits) {
                     if (permits.is_err() || permits->len() != 2) return false;
                     std::move(*permits->next()).send(4);
                     w.sent.push_back(4);
                     return true;  // the second slot goes back with the iterator
                 })
                 .invariant("each value received once", [&] { return w.nothing_lost_or_doubled(); })
                 .invariant("every slot back", [&] { return w.tx->capacity() == 3; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    // Cut unpolled, queued, holding one slot (twice), and served but unpolled.
    EXPECT_EQ(r.points, 5u);
}

TEST(CancelEveryPointChannels, MpscSenderClosed) {
    MpscWorld w;
    auto r = cancel_at_every_point([&] { return w.tx->closed(); })
                 .setup([&] { w.reset(1); })
                 .step([&] { w.rx->close(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointChannels, UnboundedRecvIsCancelSafe) {
    std::optional<mpsc::UnboundedSender<int>> tx;
    std::optional<mpsc::UnboundedReceiver<int>> rx;
    std::vector<int> sent, received;
    auto r = cancel_at_every_point([&] { return rx->recv(); })
                 .setup([&] {
                     tx.reset();
                     rx.reset();
                     auto [t, x] = mpsc::unbounded_channel<int>();
                     tx.emplace(std::move(t));
                     rx.emplace(std::move(x));
                     sent.clear();
                     received.clear();
                 })
                 .step([&](const pollen::testing::Step& s) {
                     if (tx->send(int(s.index())).is_ok()) sent.push_back(int(s.index()));
                 })
                 .on_output([&](std::optional<int>& v) {
                     if (v) received.push_back(*v);
                     return v.has_value();
                 })
                 .invariant("every sent value received exactly once", [&] {
                     for (auto v = rx->try_recv(); v.is_ok(); v = rx->try_recv()) received.push_back(*v);
                     return received == sent;
                 })
                 .teardown([&] {
                     tx.reset();
                     rx.reset();
                 })
                 .wakers_released_by_teardown()
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointChannels, BroadcastRecvIsCancelSafe) {
    std::optional<broadcast::Sender<int>> tx;
    std::optional<broadcast::Receiver<int>> rx;
    std::vector<int> sent, received;
    auto r = cancel_at_every_point([&] { return rx->recv(); })
                 .setup([&] {
                     rx.reset();
                     tx.reset();
                     auto [t, x] = broadcast::channel<int>(4);
                     tx.emplace(std::move(t));
                     rx.emplace(std::move(x));
                     sent.clear();
                     received.clear();
                 })
                 .step([&](const pollen::testing::Step& s) {
                     if (tx->send(int(s.index()) + 10).is_ok()) sent.push_back(int(s.index()) + 10);
                 })
                 .on_output([&](auto& v) {
                     if (v.is_ok()) received.push_back(*v);
                     return v.is_ok();
                 })
                 .invariant("every sent value received exactly once", [&] {
                     for (auto v = rx->try_recv(); v.is_ok(); v = rx->try_recv()) received.push_back(*v);
                     return received == sent;
                 })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointChannels, BroadcastSenderClosed) {
    std::optional<broadcast::Sender<int>> tx;
    std::optional<broadcast::Receiver<int>> rx;
    auto r = cancel_at_every_point([&] { return tx->closed(); })
                 .setup([&] {
                     rx.reset();
                     tx.reset();
                     auto [t, x] = broadcast::channel<int>(4);
                     tx.emplace(std::move(t));
                     rx.emplace(std::move(x));
                 })
                 .step([&] { rx.reset(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointChannels, WatchChangedLosesNoChange) {
    std::optional<watch::Sender<int>> tx;
    std::optional<watch::Receiver<int>> rx;
    bool sent = false, seen = false;
    auto r = cancel_at_every_point([&] { return rx->changed(); })
                 .setup([&] {
                     rx.reset();
                     tx.reset();
                     auto [t, x] = watch::channel<int>(0);
                     tx.emplace(std::move(t));
                     rx.emplace(std::move(x));
                     sent = seen = false;
                 })
                 .step([&] {
                     sent = tx->send(1).is_ok();
                 })
                 .on_output([&](Result<void, watch::RecvError>& res) { return seen = res.is_ok(); })
                 .invariant("a change not seen through changed() is still pending", [&] {
                     auto changed = rx->has_changed();
                     return changed.is_ok() && *changed == (sent && !seen);
                 })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}
