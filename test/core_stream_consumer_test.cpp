// Futures that consume a stream: fold, for_each, for_each_concurrent,
// collect, count. Their outputs, when they destroy the stream, and what
// destroying them mid-way releases.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
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
using pollen::test::poll_once;
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

/// Polls a future with a CountingWaker reference until Ready, at most n times.
template <class F>
Poll<output_t<F>> poll_until_ready(F& f, int n = 100) {
    for (int i = 0; i < n; ++i) {
        auto p = poll_once(f);
        if (p.is_ready()) return p;
    }
    return pending;
}

}  // namespace

// ---------------------------------------------------------------- fold

TEST(CoreStreamFold, AccumulatesEveryItem) {
    auto f = stream::iter({1, 2, 3, 4}).fold(0, [](int acc, int v) { return acc + v; });
    EXPECT_EQ(poll_once(f).take(), 10);
}

TEST(CoreStreamFold, AcceptsAFutureOfTheAccumulator) {
    ProbeLog log;
    auto f = stream::fold(stream::iter(Strings{"a", "b"}), std::string(">"), [&](std::string acc, std::string v) {
        return Probe<std::string>(log, v, acc + v, 1);
    });
    auto p = poll_until_ready(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), ">ab");
    EXPECT_EQ(log.polls(), (Strings{"a", "a", "b", "b"}));
}

TEST(CoreStreamFold, DestroyingMidWayDestroysTheStepAndReleasesWakers) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto f = stream::iter({1}).fold(0, [&](int, int) { return Probe<int>::never(log, "step"); });
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_FALSE(cw.balanced());  // the step holds a waker clone
    }
    EXPECT_EQ(log.drops(), (Strings{"step"}));
    EXPECT_TRUE(cw.balanced());
}

// ---------------------------------------------------------------- for_each

TEST(CoreStreamForEach, CallsTheClosureForEveryItem) {
    Ints seen;
    auto f = stream::iter({3, 4}).for_each([&](int v) { seen.push_back(v); });
    EXPECT_TRUE(poll_once(f).is_ready());
    EXPECT_EQ(seen, (Ints{3, 4}));
}

TEST(CoreStreamForEach, RunsEachReturnedFutureBeforeAskingForTheNextItem) {
    ProbeLog log;
    int asked = 0;
    auto items = stream::iter({1, 2}).inspect([&](const int&) { ++asked; });
    auto f = std::move(items).for_each([&](int v) { return Probe<void>(log, std::to_string(v), 2); });
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(asked, 1);
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_TRUE(poll_once(f).is_pending());  // 1 done, 2 pending
    EXPECT_EQ(asked, 2);
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_TRUE(poll_once(f).is_ready());
    EXPECT_EQ(log.drops(), (Strings{"1", "2"}));
}

// ---------------------------------------------------------------- for_each_concurrent

TEST(CoreStreamForEachConcurrent, RunsUpToLimitAtOnce) {
    std::vector<std::shared_ptr<Latch>> latches;
    for (int i = 0; i < 5; ++i) latches.push_back(std::make_shared<Latch>());
    int started = 0;
    auto f = stream::iter({0, 1, 2, 3, 4}).for_each_concurrent(2, [&](int i) {
        ++started;
        return WaitLatch(latches[static_cast<std::size_t>(i)], i).map([](int) {});
    });
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(started, 2);
    latches[1]->open();
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(started, 3);
    EXPECT_EQ(latches[0]->polls, 1);  // not woken, not polled again
    for (auto& l : latches) l->open();
    EXPECT_TRUE(poll_until_ready(f).is_ready());
    EXPECT_EQ(started, 5);
}

TEST(CoreStreamForEachConcurrent, ZeroMeansNoLimit) {
    std::vector<std::shared_ptr<Latch>> latches;
    for (int i = 0; i < 50; ++i) latches.push_back(std::make_shared<Latch>());
    int started = 0;
    auto f = stream::for_each_concurrent(stream::iter(std::views::iota(0, 50)), 0, [&](int i) {
        ++started;
        return WaitLatch(latches[static_cast<std::size_t>(i)], i).map([](int) {});
    });
    EXPECT_TRUE(poll_once(f).is_pending());
    EXPECT_EQ(started, 50);
    for (auto& l : latches) l->open();
    EXPECT_TRUE(poll_until_ready(f).is_ready());
}

TEST(CoreStreamForEachConcurrent, WakesWhenAnyRunningFutureCompletes) {
    CountingWaker cw;
    auto latch = std::make_shared<Latch>();
    {
        auto f = stream::iter({1}).for_each_concurrent(1, [&](int v) { return WaitLatch(latch, v).map([](int) {}); });
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        latch->open();
        EXPECT_EQ(cw.wakes_total(), 1u);
        EXPECT_TRUE(poll_once(f, cw).is_ready());
    }
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamForEachConcurrent, DestroyingMidWayDestroysEveryRunningFuture) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto f = stream::iter({1, 2, 3}).for_each_concurrent(
            0, [&](int v) { return Probe<void>::never(log, std::to_string(v)); });
        EXPECT_TRUE(poll_once(f, cw).is_pending());
        EXPECT_EQ(log.polls().size(), 3u);
    }
    auto drops = log.drops();
    EXPECT_EQ(std::set<std::string>(drops.begin(), drops.end()), (std::set<std::string>{"1", "2", "3"}));
    EXPECT_TRUE(cw.balanced());
}

// ---------------------------------------------------------------- collect, count

TEST(CoreStreamCollect, GathersEveryItemIntoAVector) {
    auto f = stream::iter({1, 2, 3}).map([](int v) { return std::to_string(v); }).collect();
    EXPECT_EQ(poll_once(f).take(), (Strings{"1", "2", "3"}));
}

TEST(CoreStreamCollect, GathersIntoANamedContainer) {
    auto f = stream::iter({3, 1, 3}).collect<std::set<int>>();
    EXPECT_EQ(poll_once(f).take(), (std::set<int>{1, 3}));
    auto g = stream::collect<std::deque<int>>(stream::iter({5}));
    EXPECT_EQ(poll_once(g).take(), std::deque<int>{5});
}

TEST(CoreStreamCollect, WaitsThroughPendingItems) {
    ProbeLog log;
    auto f = stream::iter({1, 2}).then([&](int v) { return Probe<int>(log, "f", v, 1); }).collect();
    auto p = poll_until_ready(f);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), (Ints{1, 2}));
}

TEST(CoreStreamCount, CountsTheItems) {
    auto f = stream::iter(Strings{"a", "b", "c"}).count();
    EXPECT_EQ(poll_once(f).take(), 3u);
    auto g = stream::count(stream::empty<int>());
    EXPECT_EQ(poll_once(g).take(), 0u);
}

TEST(CoreStreamConsumers, ComposeWithFutureCombinators) {
    auto f = stream::iter({1, 2, 3}).collect().map([](Ints v) { return v.size(); });
    EXPECT_EQ(poll_once(f).take(), 3u);
}
