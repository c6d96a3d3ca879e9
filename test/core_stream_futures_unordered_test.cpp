// FuturesUnordered and FuturesOrdered: outputs in completion / push order,
// only woken futures are polled, the consumer is woken, everything is
// destroyed with the set, and 100,000 futures are fine.
#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/probe_future.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::Probe;
using pollen::test::ProbeLog;
using Ints = std::vector<int>;
using Strings = std::vector<std::string>;

namespace {

/// A future the test completes by hand: Pending (holding a waker clone)
/// until `open()`; counts its polls.
struct Latch {
    bool open_flag = false;
    int polls = 0;
    std::optional<Waker> waker;
    void open() {
        open_flag = true;
        if (waker) {
            Waker w = std::move(*waker);
            waker.reset();
            std::move(w).wake();
        }
    }
};

class WaitLatch : public FutureExt<WaitLatch> {
public:
    using Output = int;
    WaitLatch(std::shared_ptr<Latch> l, int v) : latch_(std::move(l)), value_(v) {}
    WaitLatch(WaitLatch&&) noexcept = default;
    ~WaitLatch() {
        if (latch_) latch_->waker.reset();
    }
    Poll<int> poll(Context& cx) {
        ++latch_->polls;
        if (latch_->open_flag) return ready(value_);
        latch_->waker = cx.waker();
        return pending;
    }

private:
    std::shared_ptr<Latch> latch_;
    int value_;
};

std::vector<std::shared_ptr<Latch>> make_latches(int n) {
    std::vector<std::shared_ptr<Latch>> v;
    for (int i = 0; i < n; ++i) v.push_back(std::make_shared<Latch>());
    return v;
}

template <class S>
Poll<std::optional<item_t<S>>> poll_next(S& s, const Waker& w = noop_waker_ref()) {
    Context cx(w);
    return s.poll_next(cx);
}

template <class T>
bool is_item(Poll<std::optional<T>> p, const T& v) {
    return p.is_ready() && p.value() && *p.value() == v;
}
template <class T>
bool is_end(Poll<std::optional<T>> p) {
    return p.is_ready() && !p.value();
}

/// Always Pending, waking itself at every poll (a busy future).
struct SelfWaking {
    using Output = int;
    int* polls;
    Poll<int> poll(Context& cx) {
        ++*polls;
        cx.waker().wake_by_ref();
        return pending;
    }
};

}  // namespace

// ---------------------------------------------------------------- FuturesUnordered

TEST(CoreFuturesUnordered, YieldsOutputsInCompletionOrder) {
    auto latches = make_latches(5);
    FuturesUnordered<WaitLatch> set;
    for (int i = 0; i < 5; ++i) set.push(WaitLatch(latches[static_cast<std::size_t>(i)], i));
    EXPECT_EQ(set.len(), 5u);
    EXPECT_TRUE(poll_next(set).is_pending());
    latches[3]->open();
    latches[1]->open();
    EXPECT_TRUE(is_item(poll_next(set), 3));
    EXPECT_TRUE(is_item(poll_next(set), 1));
    EXPECT_TRUE(poll_next(set).is_pending());
    EXPECT_EQ(set.len(), 3u);
}

TEST(CoreFuturesUnordered, PollsOnlyTheFuturesThatWereWoken) {
    auto latches = make_latches(10);
    FuturesUnordered<WaitLatch> set;
    for (int i = 0; i < 10; ++i) set.push(WaitLatch(latches[static_cast<std::size_t>(i)], i));
    EXPECT_TRUE(poll_next(set).is_pending());
    for (auto& l : latches) EXPECT_EQ(l->polls, 1);
    latches[4]->open();
    EXPECT_TRUE(is_item(poll_next(set), 4));
    EXPECT_TRUE(poll_next(set).is_pending());
    for (int i = 0; i < 10; ++i) EXPECT_EQ(latches[static_cast<std::size_t>(i)]->polls, i == 4 ? 2 : 1) << i;
}

TEST(CoreFuturesUnordered, ASpuriousWakePollsThatFutureOnceMore) {
    auto latches = make_latches(3);
    FuturesUnordered<WaitLatch> set;
    for (int i = 0; i < 3; ++i) set.push(WaitLatch(latches[static_cast<std::size_t>(i)], i));
    EXPECT_TRUE(poll_next(set).is_pending());
    latches[2]->waker->wake_by_ref();
    latches[2]->waker->wake_by_ref();  // coalesced: queued once
    EXPECT_TRUE(poll_next(set).is_pending());
    EXPECT_EQ(latches[0]->polls, 1);
    EXPECT_EQ(latches[2]->polls, 2);
}

TEST(CoreFuturesUnordered, WakesTheConsumerWhenAFutureIsWoken) {
    CountingWaker cw;
    auto latches = make_latches(2);
    {
        FuturesUnordered<WaitLatch> set;
        set.push(WaitLatch(latches[0], 0));
        set.push(WaitLatch(latches[1], 1));
        {
            Waker w = cw.waker();
            EXPECT_TRUE(poll_next(set, w).is_pending());
        }
        EXPECT_EQ(cw.wakes_total(), 0u);
        latches[0]->open();
        latches[1]->open();
        EXPECT_EQ(cw.wakes_total(), 1u);  // one wake-up for the batch
        EXPECT_TRUE(is_item(poll_next(set), 0));
        EXPECT_TRUE(is_item(poll_next(set), 1));
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreFuturesUnordered, EmptySetEndsAndPushingRevivesIt) {
    FuturesUnordered<future::Ready<int>> set;
    EXPECT_TRUE(set.is_empty());
    EXPECT_TRUE(is_end(poll_next(set)));
    EXPECT_TRUE(set.is_terminated());
    set.push(future::ready(8));
    EXPECT_FALSE(set.is_terminated());
    EXPECT_TRUE(is_item(poll_next(set), 8));
    EXPECT_TRUE(is_end(poll_next(set)));
}

TEST(CoreFuturesUnordered, CompletedFutureIsDestroyedAtOnce) {
    ProbeLog log;
    FuturesUnordered<Probe<int>> set;
    set.push(Probe<int>(log, "a", 1));
    set.push(Probe<int>::never(log, "b"));
    EXPECT_TRUE(is_item(poll_next(set), 1));
    EXPECT_EQ(log.drops(), (Strings{"a"}));
}

TEST(CoreFuturesUnordered, DestroyingTheSetDestroysEveryFutureAndReleasesEveryWaker) {
    CountingWaker cw;
    ProbeLog log;
    {
        FuturesUnordered<Probe<int>> set;
        for (const char* name : {"a", "b", "c"}) set.push(Probe<int>::never(log, name));
        Waker w = cw.waker();
        EXPECT_TRUE(poll_next(set, w).is_pending());
    }
    auto drops = log.drops();
    EXPECT_EQ(std::set<std::string>(drops.begin(), drops.end()), (std::set<std::string>{"a", "b", "c"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreFuturesUnordered, AWakerThatOutlivesTheSetDoesNothing) {
    auto latch = std::make_shared<Latch>();
    std::optional<Waker> kept;
    {
        FuturesUnordered<WaitLatch> set;
        set.push(WaitLatch(latch, 1));
        EXPECT_TRUE(poll_next(set).is_pending());
        kept = *latch->waker;  // a clone of the future's own waker
    }
    kept->wake_by_ref();
    std::move(*kept).wake();  // frees the node (ASan: no leak, no use-after-free)
    kept.reset();
}

TEST(CoreFuturesUnordered, BusyFuturesYieldAfterOneRoundAndWakeTheConsumer) {
    CountingWaker cw;
    int polls = 0;
    {
        FuturesUnordered<SelfWaking> set;
        for (int i = 0; i < 3; ++i) set.push(SelfWaking{&polls});
        Waker w = cw.waker();
        EXPECT_TRUE(poll_next(set, w).is_pending());
        EXPECT_EQ(polls, 3);
        EXPECT_EQ(cw.wake_by_refs(), 1u);  // "poll me again"
        EXPECT_TRUE(poll_next(set, w).is_pending());
        EXPECT_EQ(polls, 6);
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreFuturesUnordered, VoidOutputsYieldUnit) {
    FuturesUnordered<future::Ready<void>> set;
    set.push(future::ready());
    set.push(future::ready());
    auto all = stream::collect(std::move(set));
    Context cx(noop_waker_ref());
    EXPECT_EQ(all.poll(cx).take().size(), 2u);
}

TEST(CoreFuturesUnordered, MayBeMovedAfterPolling) {
    auto latches = make_latches(2);
    FuturesUnordered<WaitLatch> set;
    set.push(WaitLatch(latches[0], 0));
    set.push(WaitLatch(latches[1], 1));
    EXPECT_TRUE(poll_next(set).is_pending());
    FuturesUnordered<WaitLatch> moved = std::move(set);
    latches[1]->open();
    EXPECT_TRUE(is_item(poll_next(moved), 1));
    FuturesUnordered<WaitLatch> assigned;
    assigned = std::move(moved);
    latches[0]->open();
    EXPECT_TRUE(is_item(poll_next(assigned), 0));
    EXPECT_TRUE(is_end(poll_next(assigned)));
}

TEST(CoreFuturesUnordered, ClearDestroysEverythingAndStaysUsable) {
    ProbeLog log;
    FuturesUnordered<Probe<int>> set;
    set.push(Probe<int>::never(log, "a"));
    EXPECT_TRUE(poll_next(set).is_pending());
    set.clear();
    EXPECT_EQ(log.drops(), (Strings{"a"}));
    EXPECT_TRUE(set.is_empty());
    set.push(Probe<int>(log, "b", 2));
    EXPECT_TRUE(is_item(poll_next(set), 2));
}

TEST(CoreFuturesUnordered, HandlesOneHundredThousandFutures) {
    constexpr int kN = 100'000;
    auto latches = make_latches(kN);
    FuturesUnordered<WaitLatch> set;
    for (int i = 0; i < kN; ++i) set.push(WaitLatch(latches[static_cast<std::size_t>(i)], i));
    EXPECT_TRUE(poll_next(set).is_pending());
    for (int i = kN - 1; i >= 0; --i) latches[static_cast<std::size_t>(i)]->open();
    long long sum = 0;
    int count = 0;
    int expected_next = kN - 1;  // woken in reverse, so completed in reverse
    bool in_wake_order = true;
    for (;;) {
        auto p = poll_next(set);
        ASSERT_TRUE(p.is_ready());
        auto item = p.take();
        if (!item) break;
        in_wake_order = in_wake_order && *item == expected_next--;
        sum += *item;
        ++count;
    }
    EXPECT_EQ(count, kN);
    EXPECT_EQ(sum, static_cast<long long>(kN) * (kN - 1) / 2);
    EXPECT_TRUE(in_wake_order);
    for (auto& l : latches) ASSERT_EQ(l->polls, 2);  // once to register, once when woken
}

// ---------------------------------------------------------------- FuturesOrdered

TEST(CoreFuturesOrdered, YieldsOutputsInPushOrder) {
    auto latches = make_latches(4);
    FuturesOrdered<WaitLatch> q;
    for (int i = 0; i < 4; ++i) q.push_back(WaitLatch(latches[static_cast<std::size_t>(i)], i));
    EXPECT_TRUE(poll_next(q).is_pending());
    latches[2]->open();
    latches[1]->open();
    EXPECT_TRUE(poll_next(q).is_pending());  // 0 is not done yet
    EXPECT_EQ(q.len(), 4u);
    latches[0]->open();
    EXPECT_TRUE(is_item(poll_next(q), 0));
    EXPECT_TRUE(is_item(poll_next(q), 1));
    EXPECT_TRUE(is_item(poll_next(q), 2));
    EXPECT_TRUE(poll_next(q).is_pending());
    EXPECT_EQ(latches[0]->polls, 2);
    EXPECT_EQ(latches[3]->polls, 1);  // never woken, polled once
    latches[3]->open();
    EXPECT_TRUE(is_item(poll_next(q), 3));
    EXPECT_TRUE(is_end(poll_next(q)));
}
