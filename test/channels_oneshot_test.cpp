// pollen::oneshot: Tokio's sync::oneshot semantics, polled by hand.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>
#include "support/sanitizer.hpp"

using namespace pollen;

namespace {

/// Counts wake-ups; `waker_from` holds one shared_ptr reference per clone, so
/// `use_count()` returning to 1 proves every stored waker was released.
struct CountingWake {
    std::atomic<int> wakes{0};
    void wake() { wakes.fetch_add(1, std::memory_order_release); }
};

struct Probe {
    std::shared_ptr<std::atomic<int>> alive;
    int value;
    Probe(std::shared_ptr<std::atomic<int>> a, int v) : alive(std::move(a)), value(v) { ++*alive; }
    Probe(Probe&& o) noexcept : alive(o.alive), value(o.value) { ++*alive; }
    Probe(const Probe&) = delete;
    ~Probe() { --*alive; }
};

template <class T>
Poll<Result<T, oneshot::RecvError>> poll_with(oneshot::Receiver<T>& rx, const Waker& w) {
    Context cx(w);
    return rx.poll(cx);
}

}  // namespace

TEST(Oneshot, SendThenPollYieldsTheValue) {
    auto [tx, rx] = oneshot::channel<int>();
    EXPECT_TRUE(std::move(tx).send(7).is_ok());
    auto p = poll_with(rx, noop_waker_ref());
    ASSERT_TRUE(p.is_ready());
    ASSERT_TRUE(p.value().is_ok());
    EXPECT_EQ(*p.value(), 7);
}

TEST(Oneshot, PollBeforeSendIsPendingAndSendWakesOnce) {
    auto wake = std::make_shared<CountingWake>();
    Waker w = waker_from(wake);
    auto [tx, rx] = oneshot::channel<std::string>();
    EXPECT_TRUE(poll_with(rx, w).is_pending());
    EXPECT_EQ(wake->wakes.load(), 0);
    EXPECT_TRUE(std::move(tx).send("hi").is_ok());
    EXPECT_EQ(wake->wakes.load(), 1);
    auto p = poll_with(rx, w);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(*p.value(), "hi");
}

TEST(Oneshot, RepeatedPendingPollsStoreOneWaker) {
    auto wake = std::make_shared<CountingWake>();
    Waker w = waker_from(wake);
    auto [tx, rx] = oneshot::channel<int>();
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(poll_with(rx, w).is_pending());
    EXPECT_EQ(wake.use_count(), 3);  // `wake`, `w`, and one stored clone
    std::move(tx).send(1).unwrap();
    EXPECT_EQ(wake->wakes.load(), 1);
}

TEST(Oneshot, PollWithAnotherWakerReplacesTheStoredOne) {
    auto first = std::make_shared<CountingWake>();
    auto second = std::make_shared<CountingWake>();
    auto [tx, rx] = oneshot::channel<int>();
    EXPECT_TRUE(poll_with(rx, waker_from(first)).is_pending());
    EXPECT_EQ(first.use_count(), 2);
    EXPECT_TRUE(poll_with(rx, waker_from(second)).is_pending());
    EXPECT_EQ(first.use_count(), 1);  // the old waker was released
    std::move(tx).send(1).unwrap();
    EXPECT_EQ(first->wakes.load(), 0);
    EXPECT_EQ(second->wakes.load(), 1);
}

TEST(Oneshot, SenderDroppedWithoutSendingGivesRecvError) {
    auto [tx, rx] = oneshot::channel<int>();
    { auto gone = std::move(tx); }
    auto p = poll_with(rx, noop_waker_ref());
    ASSERT_TRUE(p.is_ready());
    ASSERT_TRUE(p.value().is_err());
    EXPECT_EQ(p.value().error(), oneshot::RecvError{});
}

TEST(Oneshot, SenderDroppedAfterReceiverPolledWakesIt) {
    auto wake = std::make_shared<CountingWake>();
    auto [tx, rx] = oneshot::channel<int>();
    EXPECT_TRUE(poll_with(rx, waker_from(wake)).is_pending());
    { auto gone = std::move(tx); }
    EXPECT_EQ(wake->wakes.load(), 1);
    auto p = poll_with(rx, noop_waker_ref());
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_err());
}

TEST(Oneshot, SendToDroppedReceiverGivesTheValueBack) {
    auto [tx, rx] = oneshot::channel<std::unique_ptr<int>>();
    { auto gone = std::move(rx); }
    EXPECT_TRUE(tx.is_closed());
    auto r = std::move(tx).send(std::make_unique<int>(5));
    ASSERT_TRUE(r.is_err());
    ASSERT_TRUE(r.error());
    EXPECT_EQ(*r.error(), 5);
}

TEST(Oneshot, CloseMakesSendFailAndReceiverReadyWithError) {
    auto [tx, rx] = oneshot::channel<int>();
    EXPECT_FALSE(tx.is_closed());
    rx.close();
    EXPECT_TRUE(tx.is_closed());
    auto r = std::move(tx).send(3);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), 3);
    auto p = poll_with(rx, noop_waker_ref());
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_err());
}

TEST(Oneshot, CloseAfterSendStillDeliversTheValue) {
    auto [tx, rx] = oneshot::channel<int>();
    std::move(tx).send(9).unwrap();
    rx.close();
    auto r = rx.try_recv();
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(*r, 9);
}

TEST(Oneshot, CloseBeforeSenderClosesItAndPendingRecvIsNotLost) {
    // Closing with nothing sent: the receiver is ready at once with an error.
    auto [tx, rx] = oneshot::channel<int>();
    auto wake = std::make_shared<CountingWake>();
    EXPECT_TRUE(poll_with(rx, waker_from(wake)).is_pending());
    rx.close();
    auto p = poll_with(rx, waker_from(wake));
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_err());
}

TEST(Oneshot, TryRecvIsEmptyThenValueThenClosed) {
    auto [tx, rx] = oneshot::channel<int>();
    auto a = rx.try_recv();
    ASSERT_TRUE(a.is_err());
    EXPECT_EQ(a.error(), oneshot::TryRecvError::Empty);
    std::move(tx).send(4).unwrap();
    auto b = rx.try_recv();
    ASSERT_TRUE(b.is_ok());
    EXPECT_EQ(*b, 4);
    auto c = rx.try_recv();
    ASSERT_TRUE(c.is_err());
    EXPECT_EQ(c.error(), oneshot::TryRecvError::Closed);
}

TEST(Oneshot, TryRecvAfterSenderDroppedIsClosed) {
    auto [tx, rx] = oneshot::channel<int>();
    { auto gone = std::move(tx); }
    auto r = rx.try_recv();
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), oneshot::TryRecvError::Closed);
}

TEST(Oneshot, ReceiverComposesWithMap) {
    auto [tx, rx] = oneshot::channel<int>();
    auto doubled = std::move(rx).map([](Result<int, oneshot::RecvError> r) { return *r * 2; });
    std::move(tx).send(21).unwrap();
    Context cx(noop_waker_ref());
    auto p = doubled.poll(cx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), 42);
}

TEST(Oneshot, UnitChannelSignalsWithoutAValue) {
    auto [tx, rx] = oneshot::channel<Unit>();
    std::move(tx).send(Unit{}).unwrap();
    auto p = poll_with(rx, noop_waker_ref());
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().is_ok());
}

TEST(Oneshot, SpentCoopBudgetYieldsEvenWhenTheValueIsThere) {
    auto wake = std::make_shared<CountingWake>();
    Waker w = waker_from(wake);
    auto [tx, rx] = oneshot::channel<int>();
    std::move(tx).send(5).unwrap();
    {
        coop::BudgetScope spent(0);
        EXPECT_TRUE(poll_with(rx, w).is_pending());
        EXPECT_EQ(wake->wakes.load(), 1);  // woken so that the task runs again
    }
    auto p = poll_with(rx, w);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(*p.value(), 5);
}

TEST(Oneshot, PendingPollDoesNotSpendCoopBudget) {
    auto [tx, rx] = oneshot::channel<int>();
    coop::BudgetScope one(1);
    EXPECT_TRUE(poll_with(rx, noop_waker_ref()).is_pending());
    EXPECT_TRUE(coop::has_budget_remaining());
    std::move(tx).send(1).unwrap();
    EXPECT_TRUE(poll_with(rx, noop_waker_ref()).is_ready());
    EXPECT_FALSE(coop::has_budget_remaining());
}

// ---------------------------------------------------------------- closed()

TEST(OneshotClosed, PendingUntilReceiverDroppedThenWoken) {
    auto wake = std::make_shared<CountingWake>();
    Waker w = waker_from(wake);
    Context cx(w);
    auto [tx, rx] = oneshot::channel<int>();
    auto closed = tx.closed();
    EXPECT_TRUE(closed.poll(cx).is_pending());
    EXPECT_TRUE(closed.poll(cx).is_pending());
    { auto gone = std::move(rx); }
    EXPECT_EQ(wake->wakes.load(), 1);
    EXPECT_TRUE(closed.poll(cx).is_ready());
}

TEST(OneshotClosed, TooManyLiveClosedFuturesThrowInsteadOfWrappingTheCount) {
    auto [tx, rx] = oneshot::channel<int>();
    std::vector<decltype(tx.closed())> many;
    many.reserve(70'000);
    bool threw = false;
    while (!threw && many.size() < 70'000) {
        try {
            many.push_back(tx.closed());
        } catch (const std::length_error&) {
            threw = true;
        }
    }
    EXPECT_TRUE(threw);
    EXPECT_EQ(many.size(), 0xFFFFu - 4) << "the count holds the sender, the receiver and these";
    many.clear();
    // The channel still works, and its count is back where it was.
    std::move(tx).send(5).unwrap();
    auto got = rx.try_recv();
    ASSERT_TRUE(got.is_ok());
    EXPECT_EQ(*got, 5);
}

TEST(OneshotClosed, WokenByReceiverClose) {
    auto wake = std::make_shared<CountingWake>();
    Waker w = waker_from(wake);
    Context cx(w);
    auto [tx, rx] = oneshot::channel<int>();
    EXPECT_TRUE(tx.poll_closed(cx).is_pending());
    rx.close();
    EXPECT_EQ(wake->wakes.load(), 1);
    EXPECT_TRUE(tx.poll_closed(cx).is_ready());
}

TEST(OneshotClosed, ReadyAtOnceWhenAlreadyClosed) {
    auto [tx, rx] = oneshot::channel<int>();
    rx.close();
    Context cx(noop_waker_ref());
    EXPECT_TRUE(tx.closed().poll(cx).is_ready());
}

TEST(OneshotClosed, OutlivingTheSenderKeepsTheStateValid) {
    auto wake = std::make_shared<CountingWake>();
    Waker w = waker_from(wake);
    Context cx(w);
    auto [tx, rx] = oneshot::channel<int>();
    auto closed = tx.closed();
    EXPECT_TRUE(closed.poll(cx).is_pending());
    { auto gone = std::move(tx); }
    { auto gone = std::move(rx); }
    EXPECT_TRUE(closed.poll(cx).is_ready());
}

TEST(OneshotClosed, ReleasesItsWakerWhenEverythingIsGone) {
    auto wake = std::make_shared<CountingWake>();
    {
        auto [tx, rx] = oneshot::channel<int>();
        auto closed = tx.closed();
        Waker w = waker_from(wake);
        Context cx(w);
        EXPECT_TRUE(closed.poll(cx).is_pending());
        EXPECT_TRUE(poll_with(rx, w).is_pending());
    }
    EXPECT_EQ(wake.use_count(), 1);
}

// ---------------------------------------------------------------- drop orders

TEST(OneshotDrop, SentValueUnreceivedDiesWithReceiverWhenSenderWentFirst) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    {
        auto [tx, rx] = oneshot::channel<Probe>();
        std::move(tx).send(Probe(alive, 1)).unwrap();
        EXPECT_EQ(alive->load(), 1);
    }
    EXPECT_EQ(alive->load(), 0);
}

TEST(OneshotDrop, SentValueDiesWhenReceiverDroppedBeforeTheSenderHandle) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    auto [tx, rx] = oneshot::channel<Probe>();
    auto closed = tx.closed();  // keeps the state alive past both halves
    std::move(tx).send(Probe(alive, 1)).unwrap();
    { auto gone = std::move(rx); }
    EXPECT_EQ(alive->load(), 0);
}

TEST(OneshotDrop, ValueGivenBackWhenReceiverWentFirst) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    {
        auto [tx, rx] = oneshot::channel<Probe>();
        { auto gone = std::move(rx); }
        auto r = std::move(tx).send(Probe(alive, 2));
        ASSERT_TRUE(r.is_err());
        EXPECT_EQ(r.error().value, 2);
        EXPECT_EQ(alive->load(), 1);  // only the one handed back
    }
    EXPECT_EQ(alive->load(), 0);
}

TEST(OneshotDrop, NothingSentEitherOrderConstructsNothing) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    {
        auto [tx, rx] = oneshot::channel<Probe>();
        { auto gone = std::move(tx); }
    }
    {
        auto [tx, rx] = oneshot::channel<Probe>();
        { auto gone = std::move(rx); }
    }
    EXPECT_EQ(alive->load(), 0);
}

TEST(OneshotDrop, ReceivedValueIsOwnedByTheCaller) {
    auto alive = std::make_shared<std::atomic<int>>(0);
    auto [tx, rx] = oneshot::channel<Probe>();
    std::move(tx).send(Probe(alive, 3)).unwrap();
    {
        auto p = poll_with(rx, noop_waker_ref());
        ASSERT_TRUE(p.is_ready());
        EXPECT_EQ(p.value()->value, 3);
        EXPECT_EQ(alive->load(), 1);
    }
    EXPECT_EQ(alive->load(), 0);
}

// ---------------------------------------------------------------- threads

namespace {
/// A waker that a test thread can wait on.
struct FlagWake {
    std::atomic<int> wakes{0};
    void wake() {
        wakes.fetch_add(1, std::memory_order_release);
        wakes.notify_one();
    }
};
}  // namespace

TEST(OneshotThreads, SendRacingWithPollIsNeverLost) {
    const int kChannels = pollen::test::stress_scaled(100'000);
    auto flag = std::make_shared<FlagWake>();
    Waker w = waker_from(flag);
    std::vector<oneshot::Sender<int>> senders;
    std::vector<oneshot::Receiver<int>> receivers;
    senders.reserve(kChannels);
    receivers.reserve(kChannels);
    for (int i = 0; i < kChannels; ++i) {
        auto [tx, rx] = oneshot::channel<int>();
        senders.push_back(std::move(tx));
        receivers.push_back(std::move(rx));
    }
    // Lock-step: channel i is sent only once the poller has reached it, so
    // every send races with that channel's first poll.
    std::atomic<int> reached{0};
    std::thread sender([&] {
        for (int i = 0; i < kChannels; ++i) {
            while (reached.load(std::memory_order_acquire) <= i) std::this_thread::yield();
            if (std::move(senders[i]).send(i).is_err()) std::abort();
        }
    });
    long long sum = 0;
    int pending_channels = 0;
    for (int i = 0; i < kChannels; ++i) {
        reached.store(i + 1, std::memory_order_release);
        bool was_pending = false;
        for (;;) {
            int seen = flag->wakes.load(std::memory_order_acquire);
            auto p = poll_with(receivers[i], w);
            if (p.is_ready()) {
                ASSERT_TRUE(p.value().is_ok());
                sum += *p.value();
                break;
            }
            was_pending = true;
            // Pending means a wake is promised: wait for it (no timing involved).
            flag->wakes.wait(seen, std::memory_order_acquire);
        }
        pending_channels += was_pending;
    }
    sender.join();
    EXPECT_EQ(sum, static_cast<long long>(kChannels) * (kChannels - 1) / 2);
    // Each channel that stored a waker is woken exactly once by its send.
    EXPECT_GE(flag->wakes.load(), pending_channels);
    EXPECT_LE(flag->wakes.load(), kChannels);
    receivers.clear();
    senders.clear();
    EXPECT_EQ(flag.use_count(), 2);  // `flag` and `w`: every stored clone released
}

TEST(OneshotThreads, DropsRacingOnBothSidesDestroyEachValueOnce) {
    constexpr int kChannels = 100'000;
    auto alive = std::make_shared<std::atomic<int>>(0);
    std::vector<oneshot::Sender<Probe>> senders;
    std::vector<oneshot::Receiver<Probe>> receivers;
    for (int i = 0; i < kChannels; ++i) {
        auto [tx, rx] = oneshot::channel<Probe>();
        senders.push_back(std::move(tx));
        receivers.push_back(std::move(rx));
    }
    std::atomic<int> sent{0}, refused{0};
    std::thread sender([&] {
        for (int i = 0; i < kChannels; ++i) {
            if (i % 3 == 0) {
                auto gone = std::move(senders[i]);  // dropped without sending
                continue;
            }
            auto r = std::move(senders[i]).send(Probe(alive, i));
            (r.is_ok() ? sent : refused).fetch_add(1, std::memory_order_relaxed);
        }
    });
    int received = 0;
    for (int i = 0; i < kChannels; ++i) {
        if (i % 2 == 0) {
            auto gone = std::move(receivers[i]);  // dropped, maybe holding a value
        } else {
            auto r = receivers[i].try_recv();
            if (r.is_ok()) ++received;
        }
    }
    sender.join();
    receivers.clear();
    EXPECT_EQ(sent.load() + refused.load(), kChannels - (kChannels + 2) / 3);
    EXPECT_LE(received, sent.load());
    EXPECT_EQ(alive->load(), 0);
}

TEST(OneshotThreads, ReceiverDropRacingWithClosedPollWakes) {
    constexpr int kChannels = 20'000;
    auto flag = std::make_shared<FlagWake>();
    Waker w = waker_from(flag);
    Context cx(w);
    std::vector<oneshot::Sender<int>> senders;
    std::vector<oneshot::Receiver<int>> receivers;
    for (int i = 0; i < kChannels; ++i) {
        auto [tx, rx] = oneshot::channel<int>();
        senders.push_back(std::move(tx));
        receivers.push_back(std::move(rx));
    }
    std::thread dropper([&] {
        for (int i = 0; i < kChannels; ++i) {
            if (i % 2) receivers[i].close();
            else { auto gone = std::move(receivers[i]); }
        }
    });
    for (int i = 0; i < kChannels; ++i) {
        for (;;) {
            int seen = flag->wakes.load(std::memory_order_acquire);
            if (senders[i].poll_closed(cx).is_ready()) break;
            flag->wakes.wait(seen, std::memory_order_acquire);
        }
        EXPECT_TRUE(senders[i].is_closed());
    }
    dropper.join();
    senders.clear();
    receivers.clear();
    EXPECT_EQ(flag.use_count(), 2);
}

// A dropped Receiver lets go of the waker its last poll stored at once, not
// when the Sender goes too: the task that dropped it is not pinned by the
// channel (found by cancel_at_every_point on an async function awaiting two
// receivers).
TEST(Oneshot, DroppingAPolledReceiverReleasesItsWakerWhileTheSenderLives) {
    auto wake = std::make_shared<CountingWake>();
    Waker w = waker_from(wake);
    auto [tx, rx] = oneshot::channel<int>();
    EXPECT_TRUE(poll_with(rx, w).is_pending());
    EXPECT_EQ(wake.use_count(), 3);  // `wake`, `w`, and the stored clone
    rx = {};
    EXPECT_EQ(wake.use_count(), 2);
    EXPECT_TRUE(tx.is_closed());
    EXPECT_TRUE(std::move(tx).send(1).is_err());
    EXPECT_EQ(wake->wakes.load(), 0);
}
