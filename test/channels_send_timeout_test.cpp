// mpsc Sender::send_timeout (Tokio's): on the paused clock, a full channel
// times out and hands the value back, a gone receiver is Closed with the
// value, a slot freed before the deadline sends, and a future destroyed at
// any point loses no slot, no waker and no timer. Plus the multi-thread
// flavour on the real clock (asserting outcomes only, never durations).
#include <gtest/gtest.h>

// GCC 12 reports a false maybe-uninitialized warning on the Poll of a
// Result inside Timeout (the Makefile's sanitizer builds silence it too).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <pollen.hpp>
#include <pollen/channels/mpsc.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>
#include <pollen/reactor/detail/reactor.hpp>
#include <pollen/reactor/time_control.hpp>
#include <pollen/runtime/runtime.hpp>

#include "support/counting_waker.hpp"
#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace std::chrono_literals;
using pollen::test::CountingWaker;
using pollen::test::poll_once;
using pollen::testing::cancel_at_every_point;

namespace {

Runtime paused() { return Builder::new_current_thread().enable_all().start_paused(true).build(); }

/// A value that counts how many of its kind are alive: a lost value (never
/// destroyed) or a doubled one shows in `alive`.
struct Probe {
    std::shared_ptr<std::atomic<int>> alive;
    int value = 0;
    Probe(std::shared_ptr<std::atomic<int>> a, int v) : alive(std::move(a)), value(v) { ++*alive; }
    Probe(Probe&& o) noexcept : alive(o.alive), value(o.value) { ++*alive; }
    Probe(const Probe&) = delete;
    Probe& operator=(const Probe&) = delete;
    ~Probe() { --*alive; }
};

std::size_t pending_timers() { return detail::Reactor::current()->pending_timers(); }

}  // namespace

TEST(MpscSendTimeout, AFullChannelTimesOutAndHandsTheValueBack) {
    Runtime rt = paused();
    auto alive = std::make_shared<std::atomic<int>>(0);
    auto [tx, rx] = mpsc::channel<Probe>(1);
    ASSERT_TRUE(tx.try_send(Probe(alive, 0)).is_ok());
    {
        auto start = rt.block_on(lazy([] { return time::Instant::now(); }));
        auto res = rt.block_on(tx.send_timeout(Probe(alive, 7), 100ms));
        auto end = rt.block_on(lazy([] { return time::Instant::now(); }));
        ASSERT_TRUE(res.is_err());
        EXPECT_TRUE(res.error().is_timeout());
        EXPECT_FALSE(res.error().is_closed());
        EXPECT_EQ(std::move(res.error()).into_inner().value, 7);
        EXPECT_GE(end - start, 100ms);  // on the paused clock: it waited for its deadline
    }
    // The timed-out sender left the queue: the next freed slot is a plain one.
    EXPECT_EQ(rx.try_recv().value().value, 0);
    EXPECT_EQ(tx.capacity(), 1u);
    EXPECT_TRUE(tx.try_send(Probe(alive, 8)).is_ok());
    EXPECT_EQ(rx.try_recv().value().value, 8);
    EXPECT_EQ(*alive, 0);
}

TEST(MpscSendTimeout, AGoneReceiverIsClosedWithTheValue) {
    Runtime rt = paused();
    auto [tx, rx] = mpsc::channel<int>(1);
    { auto drop = std::move(rx); }
    auto res = rt.block_on(tx.send_timeout(5, 1s));
    ASSERT_TRUE(res.is_err());
    EXPECT_TRUE(res.error().is_closed());
    EXPECT_FALSE(res.error().is_timeout());
    EXPECT_EQ(std::move(res.error()).into_inner(), 5);
}

TEST(MpscSendTimeout, AReceiverDroppedWhileWaitingIsClosedNotTimeout) {
    Runtime rt = paused();
    test::EnterRuntime enter(rt);
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(0).is_ok());
    auto fut = tx.send_timeout(9, 1s);
    EXPECT_TRUE(poll_once(fut, cw).is_pending());
    EXPECT_EQ(pending_timers(), 1u);
    { auto drop = std::move(rx); }
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_once(fut, cw);
    ASSERT_TRUE(p.is_ready());
    ASSERT_TRUE(p.value().is_err());
    EXPECT_EQ(p.value().error().kind, mpsc::SendTimeoutErrorKind::Closed);
    EXPECT_EQ(p.value().error().value, 9);
    EXPECT_EQ(pending_timers(), 0u);  // the timer went with the answer
    EXPECT_TRUE(cw.balanced());
}

TEST(MpscSendTimeout, ASlotFreedBeforeTheDeadlineSends) {
    Runtime rt = paused();
    test::EnterRuntime enter(rt);
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    auto fut = tx.send_timeout(2, 100ms);
    EXPECT_TRUE(poll_once(fut, cw).is_pending());
    rt.block_on(time::advance(99ms));
    EXPECT_EQ(cw.wakes_total(), 0u);
    EXPECT_EQ(rx.try_recv().value(), 1);  // frees the slot: it goes to the waiting sender
    EXPECT_EQ(cw.wakes_total(), 1u);
    rt.block_on(time::advance(10ms));  // past the deadline, but the slot came first
    auto p = poll_once(fut, cw);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_ok());
    EXPECT_EQ(rx.try_recv().value(), 2);
    EXPECT_EQ(pending_timers(), 0u);
    EXPECT_TRUE(cw.balanced());
}

TEST(MpscSendTimeout, AFreeSlotAtTheFirstPollSendsWithoutATimer) {
    Runtime rt = paused();
    test::EnterRuntime enter(rt);
    auto [tx, rx] = mpsc::channel<int>(2);
    auto fut = tx.send_timeout(3, 1ms);
    auto p = poll_once(fut);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_ok());
    EXPECT_EQ(pending_timers(), 0u);
    EXPECT_EQ(rx.try_recv().value(), 3);
}

TEST(MpscSendTimeout, TheDeadlineStartsAtTheFirstPoll) {
    Runtime rt = paused();
    test::EnterRuntime enter(rt);
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(0).is_ok());
    auto fut = tx.send_timeout(1, 50ms);
    rt.block_on(time::advance(1s));  // made long before it is polled
    EXPECT_TRUE(poll_once(fut, cw).is_pending());
    rt.block_on(time::advance(49ms));
    EXPECT_TRUE(poll_once(fut, cw).is_pending());
    rt.block_on(time::advance(1ms));
    auto p = poll_once(fut, cw);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_err() && p.value().error().is_timeout());
}

TEST(MpscSendTimeout, DestroyedWhileQueuedOrAfterBeingHandedASlotLosesNothing) {
    Runtime rt = paused();
    test::EnterRuntime enter(rt);
    auto alive = std::make_shared<std::atomic<int>>(0);
    CountingWaker cw1, cw2;
    auto [tx, rx] = mpsc::channel<Probe>(1);
    ASSERT_TRUE(tx.try_send(Probe(alive, 0)).is_ok());
    {  // queued, then destroyed: it leaves the queue, its timer and its value go
        auto fut = tx.send_timeout(Probe(alive, 1), 1s);
        EXPECT_TRUE(poll_once(fut, cw1).is_pending());
        EXPECT_EQ(pending_timers(), 1u);
    }
    EXPECT_EQ(pending_timers(), 0u);
    EXPECT_TRUE(cw1.balanced());
    EXPECT_EQ(*alive, 1);

    auto second = tx.send_timeout(Probe(alive, 3), 1s);
    {  // handed the slot, destroyed before it used it: the slot passes on
        auto fut = tx.send_timeout(Probe(alive, 2), 1s);
        EXPECT_TRUE(poll_once(fut, cw1).is_pending());
        EXPECT_TRUE(poll_once(second, cw2).is_pending());
        EXPECT_EQ(rx.try_recv().value().value, 0);  // the slot goes to `fut`, first in line
        EXPECT_EQ(cw2.wakes_total(), 0u);
    }
    EXPECT_EQ(cw2.wakes_total(), 1u);
    auto p = poll_once(second, cw2);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_ok());
    EXPECT_EQ(rx.try_recv().value().value, 3);
    EXPECT_EQ(tx.capacity(), 1u);
    EXPECT_EQ(pending_timers(), 0u);
    EXPECT_EQ(*alive, 0);
    EXPECT_TRUE(cw1.balanced());
    EXPECT_TRUE(cw2.balanced());
}

TEST(MpscSendTimeout, CancelledAtEveryPointLosesNoSlotNorWaker) {
    Runtime rt = paused();
    test::EnterRuntime enter(rt);
    std::optional<mpsc::Sender<int>> tx;
    std::optional<mpsc::Receiver<int>> rx;
    std::vector<int> received;
    int steps = 0;
    auto r = cancel_at_every_point([&] { return tx->send_timeout(2, 25ms); })
                 .setup([&] {
                     tx.reset();
                     rx.reset();
                     auto [t, x] = mpsc::channel<int>(1);
                     tx.emplace(std::move(t));
                     rx.emplace(std::move(x));
                     (void)tx->try_send(1);  // full
                     received.clear();
                     steps = 0;
                 })
                 // Time passes; after the second step the receiver frees the
                 // slot (before the deadline), so an instance left alone sends.
                 .step([&] {
                     rt.block_on(time::advance(10ms));
                     if (++steps == 2)
                         if (auto v = rx->try_recv(); v.is_ok()) received.push_back(*v);
                 })
                 .on_output([&](Result<void, mpsc::SendTimeoutError<int>>& res) { return res.is_ok(); })
                 .invariant("every slot back, the destroyed value never sent", [&] {
                     while (true) {
                         auto v = rx->try_recv();
                         if (v.is_err()) break;
                         received.push_back(*v);
                     }
                     return tx->capacity() == 1 && (received == std::vector<int>{1} || received == std::vector<int>{1, 2});
                 })
                 .invariant("no timer left", [&] { return pending_timers() == 0; })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 5u);
}

TEST(MpscSendTimeout, OnAMultiThreadRuntimeASlotFreedByAnotherTaskSends) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).enable_all().build();
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    auto rxp = std::make_shared<mpsc::Receiver<int>>(std::move(rx));
    auto receiver = rt.spawn(time::sleep(20ms).then([rxp] { return rxp->recv(); }));
    auto res = rt.block_on(tx.send_timeout(2, 30s));  // generous: only the outcome is asserted
    EXPECT_TRUE(res.is_ok());
    EXPECT_EQ(rt.block_on(std::move(receiver)).unwrap(), std::optional<int>(1));
    EXPECT_EQ(rxp->try_recv().value(), 2);
}

TEST(MpscSendTimeout, OnAMultiThreadRuntimeAFullChannelTimesOut) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).enable_all().build();
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    auto res = rt.block_on(tx.send_timeout(2, 10ms));
    ASSERT_TRUE(res.is_err());
    EXPECT_TRUE(res.error().is_timeout());
    EXPECT_EQ(std::move(res.error()).into_inner(), 2);
    EXPECT_EQ(rx.len(), 1u);
}
