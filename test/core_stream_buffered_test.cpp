// buffered and buffer_unordered: outputs in stream order / completion
// order, at most n futures in flight, and what destroying them releases.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <ranges>
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

/// A stream of n WaitLatch futures over `latches`, counting how many were made.
auto latched_futures(std::vector<std::shared_ptr<Latch>>& latches, int& made) {
    return stream::iter(std::views::iota(0, static_cast<int>(latches.size()))).map([&](int i) {
        ++made;
        return WaitLatch(latches[static_cast<std::size_t>(i)], i);
    });
}

std::vector<std::shared_ptr<Latch>> make_latches(int n) {
    std::vector<std::shared_ptr<Latch>> v;
    for (int i = 0; i < n; ++i) v.push_back(std::make_shared<Latch>());
    return v;
}

}  // namespace

// ---------------------------------------------------------------- buffered

TEST(CoreStreamBuffered, PreservesStreamOrderWhateverTheCompletionOrder) {
    auto latches = make_latches(6);
    int made = 0;
    auto s = latched_futures(latches, made).buffered(6);
    EXPECT_TRUE(poll_next(s).is_pending());
    for (int i = 5; i >= 1; --i) latches[static_cast<std::size_t>(i)]->open();
    EXPECT_TRUE(poll_next(s).is_pending());
    latches[0]->open();
    Ints out;
    for (;;) {
        auto p = poll_next(s);
        ASSERT_TRUE(p.is_ready());
        if (!p.value()) break;
        out.push_back(*p.value());
    }
    EXPECT_EQ(out, (Ints{0, 1, 2, 3, 4, 5}));
}

TEST(CoreStreamBuffered, KeepsAtMostNInFlightCountingHeldOutputs) {
    auto latches = make_latches(5);
    int made = 0;
    auto s = latched_futures(latches, made).buffered(2);
    EXPECT_TRUE(poll_next(s).is_pending());
    EXPECT_EQ(made, 2);
    latches[1]->open();  // done, but held back behind 0: still counts
    EXPECT_TRUE(poll_next(s).is_pending());
    EXPECT_EQ(made, 2);
    latches[0]->open();
    EXPECT_TRUE(is_item(poll_next(s), 0));
    EXPECT_EQ(made, 2);  // refilled at the next poll_next
    EXPECT_TRUE(is_item(poll_next(s), 1));
    EXPECT_EQ(made, 3);  // 1 was held, so only one slot was free
    EXPECT_TRUE(poll_next(s).is_pending());
    EXPECT_EQ(made, 4);
    for (auto& l : latches) l->open();
    EXPECT_TRUE(is_item(poll_next(s), 2));
    EXPECT_TRUE(is_item(poll_next(s), 3));
    EXPECT_TRUE(is_item(poll_next(s), 4));
    EXPECT_TRUE(is_end(poll_next(s)));
}

TEST(CoreStreamBuffered, ReadyFuturesPassStraightThrough) {
    auto s = stream::buffered(stream::iter({1, 2, 3}).map([](int v) { return future::ready(v * 2); }), 2);
    Context cx(noop_waker_ref());
    auto all = std::move(s).collect();
    EXPECT_EQ(all.poll(cx).take(), (Ints{2, 4, 6}));
}

TEST(CoreStreamBuffered, DestroyingMidWayDestroysEveryRunningFuture) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto futs = stream::iter({1, 2}).map([&](int v) { return Probe<int>::never(log, std::to_string(v)); });
        auto s = std::move(futs).buffered(5);
        Waker w = cw.waker();
        EXPECT_TRUE(poll_next(s, w).is_pending());
        log.clear();
    }
    auto drops = log.drops();
    EXPECT_EQ(std::set<std::string>(drops.begin(), drops.end()), (std::set<std::string>{"1", "2"}));
    EXPECT_TRUE(cw.balanced());
}

// ---------------------------------------------------------------- buffer_unordered

TEST(CoreStreamBufferUnordered, YieldsInCompletionOrder) {
    auto latches = make_latches(4);
    int made = 0;
    auto s = latched_futures(latches, made).buffer_unordered(4);
    EXPECT_TRUE(poll_next(s).is_pending());
    latches[2]->open();
    EXPECT_TRUE(is_item(poll_next(s), 2));
    latches[3]->open();
    latches[0]->open();
    EXPECT_TRUE(is_item(poll_next(s), 3));
    EXPECT_TRUE(is_item(poll_next(s), 0));
    latches[1]->open();
    EXPECT_TRUE(is_item(poll_next(s), 1));
    EXPECT_TRUE(is_end(poll_next(s)));
}

TEST(CoreStreamBufferUnordered, KeepsAtMostNRunningAndRefillsAsTheyFinish) {
    auto latches = make_latches(5);
    int made = 0;
    auto s = latched_futures(latches, made).buffer_unordered(3);
    EXPECT_TRUE(poll_next(s).is_pending());
    EXPECT_EQ(made, 3);
    latches[1]->open();
    EXPECT_TRUE(is_item(poll_next(s), 1));
    EXPECT_TRUE(poll_next(s).is_pending());
    EXPECT_EQ(made, 4);
    EXPECT_EQ(latches[0]->polls, 1);  // not woken, not polled again
}

TEST(CoreStreamBufferUnordered, WakesWhenARunningFutureCompletes) {
    CountingWaker cw;
    auto latches = make_latches(1);
    int made = 0;
    {
        auto s = stream::buffer_unordered(latched_futures(latches, made), 1);
        Waker w = cw.waker();
        EXPECT_TRUE(poll_next(s, w).is_pending());
        latches[0]->open();
        EXPECT_EQ(cw.wakes_total(), 1u);
        EXPECT_TRUE(is_item(poll_next(s, w), 0));
        EXPECT_TRUE(is_end(poll_next(s, w)));
    }
    EXPECT_TRUE(cw.balanced());
}
