// Stream adapters: map, filter, filter_map, then, inspect, enumerate, take,
// skip, take_while, skip_while, chain, zip, merge, chunks, fuse, boxed.
// Their items, when they are Pending, and what they destroy when.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <optional>
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

/// What a test controls of a FeedStream: items are pushed in, the stream
/// is closed, and its poll count and destruction are visible.
template <class T>
struct Feed {
    std::deque<T> items;
    bool closed = false;
    int polls = 0;
    bool dropped = false;
    std::optional<Waker> waker;
    ProbeLog* log = nullptr;
    std::string name;

    void push(T v) {
        items.push_back(std::move(v));
        wake();
    }
    void close() {
        closed = true;
        wake();
    }
    void wake() {
        if (!waker) return;
        Waker w = std::move(*waker);
        waker.reset();
        std::move(w).wake();
    }
};

/// A stream fed by hand: its items, Pending (holding a waker clone) while
/// empty, the end once closed. Destroying it releases the waker.
template <class T>
class FeedStream : public StreamExt<FeedStream<T>> {
public:
    using Item = T;
    explicit FeedStream(std::shared_ptr<Feed<T>> feed) : feed_(std::move(feed)) {}
    FeedStream(FeedStream&& o) noexcept : feed_(std::move(o.feed_)) {}
    ~FeedStream() {
        if (!feed_) return;
        feed_->dropped = true;
        feed_->waker.reset();
        if (feed_->log) feed_->log->record("drop:" + feed_->name);
    }
    Poll<std::optional<T>> poll_next(Context& cx) {
        ++feed_->polls;
        if (!feed_->items.empty()) {
            T v = std::move(feed_->items.front());
            feed_->items.pop_front();
            return ready(std::optional<T>(std::move(v)));
        }
        if (feed_->closed) return ready(std::optional<T>());
        feed_->waker = cx.waker();
        return pending;
    }

private:
    std::shared_ptr<Feed<T>> feed_;
};

template <class T = int>
std::pair<std::shared_ptr<Feed<T>>, FeedStream<T>> feed(ProbeLog* log = nullptr, std::string name = "") {
    auto f = std::make_shared<Feed<T>>();
    f->log = log;
    f->name = std::move(name);
    return {f, FeedStream<T>(f)};
}

template <class S>
Poll<std::optional<item_t<S>>> poll_next(S& s, const Waker& w = noop_waker_ref()) {
    Context cx(w);
    return s.poll_next(cx);
}

/// Every item of a stream that is never Pending.
template <class S>
std::vector<item_t<S>> drain(S& s) {
    std::vector<item_t<S>> out;
    for (;;) {
        auto p = poll_next(s);
        EXPECT_TRUE(p.is_ready()) << "the stream was Pending";
        if (!p.is_ready()) return out;
        auto item = p.take();
        if (!item) return out;
        out.push_back(std::move(*item));
    }
}

template <class S>
std::vector<item_t<S>> drain(S&& s) {
    S local = std::move(s);
    return drain(local);
}

template <class T>
bool is_item(const Poll<std::optional<T>>& p, const T& v) {
    return p.is_ready() && const_cast<Poll<std::optional<T>>&>(p).value() &&
           *const_cast<Poll<std::optional<T>>&>(p).value() == v;
}
template <class T>
bool is_end(Poll<std::optional<T>>& p) {
    return p.is_ready() && !p.value();
}

}  // namespace

// ---------------------------------------------------------------- map & co

TEST(CoreStreamMap, AppliesTheClosureToEachItem) {
    EXPECT_EQ(drain(stream::iter(Ints{1, 2, 3}).map([](int v) { return v * 10; })), (Ints{10, 20, 30}));
}

TEST(CoreStreamMap, ChangesTheItemType) {
    auto s = stream::map(stream::iter({1, 22}), [](int v) { return std::to_string(v); });
    EXPECT_EQ(drain(s), (Strings{"1", "22"}));
}

TEST(CoreStreamMap, PendingPassesThroughAndTheWakerReachesTheInnerStream) {
    CountingWaker cw;
    auto [f, src] = feed();
    auto s = std::move(src).map([](int v) { return v + 1; });
    {
        Waker w = cw.waker();
        EXPECT_TRUE(poll_next(s, w).is_pending());
    }
    f->push(4);
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_next(s);
    EXPECT_TRUE(is_item(p, 5));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamFluent, AdaptersChain) {
    auto s = stream::iter({1, 2, 3, 4, 5, 6, 7, 8})
                 .map([](int v) { return v * v; })
                 .filter([](const int& v) { return v % 2 == 0; })
                 .take(3);
    EXPECT_EQ(drain(s), (Ints{4, 16, 36}));
}

TEST(CoreStreamFilter, KeepsItemsThePredicateAccepts) {
    EXPECT_EQ(drain(stream::iter({1, 2, 3, 4, 5}).filter([](const int& v) { return v % 2 == 1; })),
              (Ints{1, 3, 5}));
}

TEST(CoreStreamFilter, AsyncPredicateHoldsTheItemUntilTheAnswer) {
    ProbeLog log;
    int asked = 0;
    auto s = stream::iter({1, 2, 3}).filter([&](const int& v) {
        ++asked;
        return Probe<bool>(log, "p" + std::to_string(v), v != 2, 1);
    });
    auto p = poll_next(s);
    EXPECT_TRUE(p.is_pending());
    EXPECT_EQ(asked, 1);
    auto p2 = poll_next(s);
    EXPECT_TRUE(is_item(p2, 1));
    EXPECT_TRUE(poll_next(s).is_pending());  // p2 pending once
    auto p3 = poll_next(s);                  // p2 says no, p3 pending
    EXPECT_TRUE(p3.is_pending());
    auto p4 = poll_next(s);
    EXPECT_TRUE(is_item(p4, 3));
    auto p5 = poll_next(s);
    EXPECT_TRUE(is_end(p5));
    EXPECT_EQ(log.drops(), (Strings{"p1", "p2", "p3"}));
}

TEST(CoreStreamFilterMap, KeepsTheValuesOfNonEmptyAnswers) {
    auto s = stream::iter({1, 2, 3, 4}).filter_map([](int v) -> std::optional<std::string> {
        if (v % 2) return std::nullopt;
        return std::string(static_cast<std::size_t>(v), 'x');
    });
    EXPECT_EQ(drain(s), (Strings{"xx", "xxxx"}));
}

TEST(CoreStreamFilterMap, AcceptsAFutureOfAnOptional) {
    auto s = stream::iter({1, 2, 3}).filter_map(
        [](int v) { return future::ready(v == 2 ? std::optional<int>() : std::optional<int>(v * 3)); });
    EXPECT_EQ(drain(s), (Ints{3, 9}));
}

TEST(CoreStreamThen, RunsEachFutureInTurnAndYieldsItsOutput) {
    ProbeLog log;
    auto s = stream::iter({1, 2}).then([&](int v) { return Probe<int>(log, "f" + std::to_string(v), v * 100, 1); });
    EXPECT_TRUE(poll_next(s).is_pending());
    auto a = poll_next(s);
    EXPECT_TRUE(is_item(a, 100));
    EXPECT_EQ(log.drops(), (Strings{"f1"}));  // destroyed as soon as it completed
    EXPECT_TRUE(poll_next(s).is_pending());
    auto b = poll_next(s);
    EXPECT_TRUE(is_item(b, 200));
    auto end = poll_next(s);
    EXPECT_TRUE(is_end(end));
}

TEST(CoreStreamThen, VoidFuturesYieldUnit) {
    int ran = 0;
    auto s = stream::iter({1, 2, 3}).then([&](int) {
        ++ran;
        return future::ready();
    });
    EXPECT_EQ(drain(s).size(), 3u);
    EXPECT_EQ(ran, 3);
}

TEST(CoreStreamInspect, SeesEachItemAndPassesItOn) {
    Ints seen;
    auto s = stream::iter({5, 6}).inspect([&](const int& v) { seen.push_back(v); });
    EXPECT_EQ(drain(s), (Ints{5, 6}));
    EXPECT_EQ(seen, (Ints{5, 6}));
}

TEST(CoreStreamEnumerate, PairsItemsWithTheirIndex) {
    auto items = drain(stream::iter(Strings{"a", "b"}).enumerate());
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0], std::make_pair(std::size_t{0}, std::string("a")));
    EXPECT_EQ(items[1], std::make_pair(std::size_t{1}, std::string("b")));
}

// ---------------------------------------------------------------- take & skip

TEST(CoreStreamTake, YieldsTheFirstNThenEnds) {
    EXPECT_EQ(drain(stream::iter({1, 2, 3, 4}).take(2)), (Ints{1, 2}));
    EXPECT_EQ(drain(stream::iter({1}).take(5)), (Ints{1}));
}

TEST(CoreStreamTake, DestroysTheInnerStreamRightAfterTheNthItem) {
    auto [f, src] = feed();
    f->push(1);
    f->push(2);
    auto s = std::move(src).take(2);
    auto a = poll_next(s);
    EXPECT_TRUE(is_item(a, 1));
    EXPECT_FALSE(f->dropped);
    auto b = poll_next(s);
    EXPECT_TRUE(is_item(b, 2));
    EXPECT_TRUE(f->dropped);
    EXPECT_TRUE(s.is_terminated());
    auto end = poll_next(s);
    EXPECT_TRUE(is_end(end));
    EXPECT_EQ(f->polls, 2);
}

TEST(CoreStreamTake, TakeZeroNeverPollsAndDropsTheStreamAtOnce) {
    auto [f, src] = feed();
    auto s = std::move(src).take(0);
    EXPECT_TRUE(f->dropped);
    auto end = poll_next(s);
    EXPECT_TRUE(is_end(end));
    EXPECT_EQ(f->polls, 0);
}

TEST(CoreStreamSkip, DropsTheFirstN) {
    EXPECT_EQ(drain(stream::iter({1, 2, 3, 4}).skip(3)), (Ints{4}));
    EXPECT_EQ(drain(stream::iter({1, 2}).skip(3)), Ints{});
}

TEST(CoreStreamSkip, CountsSkippedItemsAcrossPendingPolls) {
    auto [f, src] = feed();
    auto s = stream::skip(std::move(src), 2);
    f->push(1);
    EXPECT_TRUE(poll_next(s).is_pending());
    f->push(2);
    f->push(3);
    auto p = poll_next(s);
    EXPECT_TRUE(is_item(p, 3));
}

TEST(CoreStreamTakeWhile, EndsAtTheFirstRejectedItemAndDropsTheStream) {
    auto [f, src] = feed();
    for (int v : {1, 2, 7, 3}) f->push(v);
    auto s = std::move(src).take_while([](const int& v) { return v < 5; });
    EXPECT_EQ(drain(s), (Ints{1, 2}));
    EXPECT_TRUE(f->dropped);
    EXPECT_EQ(f->items.size(), 1u);  // 3 was never asked for
}

TEST(CoreStreamTakeWhile, AcceptsAFutureOfBool) {
    auto s = stream::iter({1, 2, 3}).take_while([](const int& v) { return future::ready(v != 3); });
    EXPECT_EQ(drain(s), (Ints{1, 2}));
}

TEST(CoreStreamSkipWhile, PassesEverythingFromTheFirstRejectedItem) {
    int asked = 0;
    auto s = stream::iter({1, 2, 5, 1, 2}).skip_while([&](const int& v) {
        ++asked;
        return v < 3;
    });
    EXPECT_EQ(drain(s), (Ints{5, 1, 2}));
    EXPECT_EQ(asked, 3);
}

// ---------------------------------------------------------------- two streams

TEST(CoreStreamChain, YieldsTheFirstThenTheSecond) {
    EXPECT_EQ(drain(stream::iter({1, 2}).chain(stream::iter({3}))), (Ints{1, 2, 3}));
}

TEST(CoreStreamChain, DropsTheFirstWhenItEndsAndOnlyThenPollsTheSecond) {
    auto [a, sa] = feed();
    auto [b, sb] = feed();
    auto s = stream::chain(std::move(sa), std::move(sb));
    b->push(9);
    EXPECT_TRUE(poll_next(s).is_pending());
    EXPECT_EQ(b->polls, 0);
    a->close();
    auto p = poll_next(s);
    EXPECT_TRUE(is_item(p, 9));
    EXPECT_TRUE(a->dropped);
    EXPECT_FALSE(b->dropped);
}

TEST(CoreStreamZip, PairsItemsUntilEitherEnds) {
    auto items = drain(stream::iter({1, 2, 3}).zip(stream::iter(Strings{"a", "b"})));
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[1], std::make_pair(2, std::string("b")));
}

TEST(CoreStreamZip, AnEarlyItemWaitsForItsPartner) {
    auto [a, sa] = feed();
    auto [b, sb] = feed();
    auto s = std::move(sa).zip(std::move(sb));
    a->push(1);
    a->push(2);
    EXPECT_TRUE(poll_next(s).is_pending());
    EXPECT_TRUE(poll_next(s).is_pending());
    EXPECT_EQ(a->polls, 1);  // holding 1, a is not asked again
    b->push(10);
    auto p = poll_next(s);
    EXPECT_TRUE(is_item(p, std::make_pair(1, 10)));
    b->close();
    auto end = poll_next(s);
    EXPECT_TRUE(is_end(end));
    EXPECT_TRUE(a->dropped);
    EXPECT_TRUE(b->dropped);
}

TEST(CoreStreamMerge, InterleavesTwoReadyStreamsRoundRobin) {
    auto s = stream::iter({1, 2, 3}).merge(stream::iter({10, 20, 30}));
    EXPECT_EQ(drain(s), (Ints{1, 10, 2, 20, 3, 30}));
}

TEST(CoreStreamMerge, ContinuesWithTheOtherWhenOneEnds) {
    auto s = stream::select(stream::iter({1}), stream::iter({10, 20, 30}));
    EXPECT_EQ(drain(s), (Ints{1, 10, 20, 30}));
}

TEST(CoreStreamMerge, AlwaysReadyStreamDoesNotStarveTheOther) {
    auto [b, sb] = feed();
    auto s = stream::repeat(0).merge(std::move(sb));
    b->push(7);
    bool saw = false;
    for (int i = 0; i < 2 && !saw; ++i) {
        auto p = poll_next(s);
        saw = p.is_ready() && p.value() && *p.value() == 7;
    }
    EXPECT_TRUE(saw);
}

TEST(CoreStreamMerge, PendingUntilEitherWakesAndEndsWhenBothEnd) {
    CountingWaker cw;
    auto [a, sa] = feed();
    auto [b, sb] = feed();
    auto s = std::move(sa).merge(std::move(sb));
    {
        Waker w = cw.waker();
        EXPECT_TRUE(poll_next(s, w).is_pending());
    }
    b->push(2);
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_next(s);
    EXPECT_TRUE(is_item(p, 2));
    a->close();
    EXPECT_TRUE(poll_next(s).is_pending());
    EXPECT_TRUE(a->dropped);
    b->close();
    auto end = poll_next(s);
    EXPECT_TRUE(is_end(end));
    EXPECT_TRUE(s.is_terminated());
    EXPECT_TRUE(cw.balanced());
}

// ---------------------------------------------------------------- chunks, fuse, boxed

TEST(CoreStreamChunks, GroupsItemsAndFlushesTheRestAtTheEnd) {
    auto chunks = drain(stream::iter({1, 2, 3, 4, 5}).chunks(2));
    EXPECT_EQ(chunks, (std::vector<Ints>{{1, 2}, {3, 4}, {5}}));
}

TEST(CoreStreamChunks, HoldsAPartialChunkWhileTheStreamIsPending) {
    auto [f, src] = feed();
    auto s = std::move(src).chunks(3);
    f->push(1);
    EXPECT_TRUE(poll_next(s).is_pending());
    f->push(2);
    f->close();
    auto p = poll_next(s);
    EXPECT_TRUE(is_item(p, Ints{1, 2}));
    EXPECT_TRUE(f->dropped);
    auto end = poll_next(s);
    EXPECT_TRUE(is_end(end));
}

TEST(CoreStreamFuse, AnswersTheEndForeverAndDropsTheInnerStream) {
    auto [f, src] = feed();
    f->push(1);
    f->close();
    auto s = std::move(src).fuse();
    auto a = poll_next(s);
    EXPECT_TRUE(is_item(a, 1));
    EXPECT_FALSE(s.is_terminated());
    for (int i = 0; i < 3; ++i) {
        auto end = poll_next(s);
        EXPECT_TRUE(is_end(end));
    }
    EXPECT_TRUE(s.is_terminated());
    EXPECT_TRUE(f->dropped);
    EXPECT_EQ(f->polls, 2);
}

TEST(CoreStreamBoxed, ErasesTheTypeAndMayMoveAfterPolling) {
    BoxStream<int> s = stream::iter({1, 2, 3}).map([](int v) { return -v; }).boxed();
    auto a = poll_next(s);
    EXPECT_TRUE(is_item(a, -1));
    BoxStream<int> moved = std::move(s);
    EXPECT_FALSE(static_cast<bool>(s));
    EXPECT_EQ(drain(moved), (Ints{-2, -3}));
    std::vector<BoxStream<int>> many;
    many.push_back(stream::iter({1}).boxed());
    many.push_back(stream::empty<int>().boxed());
    many.push_back(std::move(many[0]).boxed());  // boxing a box does not nest
    EXPECT_EQ(drain(many[2]), (Ints{1}));
}
