// Stream size_hint (futures-rs's `Stream::size_hint`): the default, the
// sources (iter, once, empty, pending, repeat, FuturesUnordered/Ordered),
// and how every adapter derives its bounds from the stream it wraps,
// including items and futures it holds, streams that ended, and overflow.
#include <gtest/gtest.h>

#include <cstddef>
#include <deque>
#include <limits>
#include <list>
#include <memory>
#include <optional>
#include <ranges>
#include <utility>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/stream/size_hint.hpp>

#include "support/counting_waker.hpp"
#include "support/probe_future.hpp"

using namespace pollen;
using pollen::stream::SizeHint;
using pollen::test::Probe;
using pollen::test::ProbeLog;

namespace {

constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
const std::optional<std::size_t> kNone = std::nullopt;

SizeHint hint(std::size_t lower, std::optional<std::size_t> upper) { return {lower, upper}; }

/// What a test sets of a HintStream after handing it to an adapter.
struct HintState {
    SizeHint hint{0, std::nullopt};
    std::deque<int> items;
    bool ended = false;
};

/// A stream that reports whatever hint the test sets; yields the queued
/// items, then Pending (nothing wakes it: tests poll by hand) or the end.
class HintStream : public StreamExt<HintStream> {
public:
    using Item = int;
    explicit HintStream(std::shared_ptr<HintState> s) : s_(std::move(s)) {}
    Poll<std::optional<int>> poll_next(Context&) {
        if (!s_->items.empty()) {
            int v = s_->items.front();
            s_->items.pop_front();
            return Ready<std::optional<int>>{v};
        }
        if (s_->ended) return Ready<std::optional<int>>{std::nullopt};
        return pending;
    }
    SizeHint size_hint() const { return s_->hint; }

private:
    std::shared_ptr<HintState> s_;
};

std::pair<HintStream, std::shared_ptr<HintState>> hinted(SizeHint h) {
    auto s = std::make_shared<HintState>();
    s->hint = h;
    return {HintStream(s), s};
}

/// A Stream that derives nothing and says nothing of its size.
struct Silent {
    using Item = int;
    Poll<std::optional<int>> poll_next(Context&) { return Ready<std::optional<int>>{std::nullopt}; }
};

template <class S>
auto next_now(S& s) {
    Context cx(noop_waker_ref());
    return s.poll_next(cx);
}

std::vector<int> ints(int n) {
    std::vector<int> v;
    for (int i = 0; i < n; ++i) v.push_back(i);
    return v;
}

}  // namespace

// ---------------------------------------------------------------- the default

TEST(CoreStreamSizeHint, DefaultIsZeroAndUnknown) {
    static_assert(Stream<Silent>);
    static_assert(!stream::HasSizeHint<Silent>);
    EXPECT_EQ(stream::size_hint(Silent{}), hint(0, kNone));
    // A StreamExt stream that knows nothing of its length keeps the default.
    auto u = stream::unfold(0, [](int s) { return std::optional<std::pair<int, int>>(std::pair(s, s + 1)); });
    EXPECT_EQ(u.size_hint(), hint(0, kNone));
    EXPECT_EQ(stream::size_hint(u), hint(0, kNone));
    auto f = stream::poll_fn([](Context&) { return Poll<std::optional<int>>(pending); });
    EXPECT_EQ(stream::size_hint(f), hint(0, kNone));
}

// ---------------------------------------------------------------- sources

TEST(CoreStreamSizeHint, IterIsExactAndCountsDown) {
    auto s = stream::iter(ints(3));
    EXPECT_EQ(s.size_hint(), hint(3, 3));
    (void)next_now(s);
    EXPECT_EQ(s.size_hint(), hint(2, 2));
    (void)next_now(s);
    (void)next_now(s);
    EXPECT_EQ(s.size_hint(), hint(0, 0));
    EXPECT_FALSE(next_now(s).value().has_value());
    EXPECT_EQ(s.size_hint(), hint(0, 0));
}

TEST(CoreStreamSizeHint, IterOfASizedRangeWithoutRandomAccessIsExactToo) {
    auto s = stream::iter(std::list<int>{1, 2, 3, 4});
    (void)next_now(s);
    EXPECT_EQ(s.size_hint(), hint(3, 3));
}

TEST(CoreStreamSizeHint, IterOfAnUnsizedRangeIsUnknown) {
    auto evens = std::views::iota(0, 10) | std::views::filter([](int v) { return v % 2 == 0; });
    auto s = stream::iter(evens);
    EXPECT_EQ(s.size_hint(), hint(0, kNone));
}

TEST(CoreStreamSizeHint, OnceEmptyPendingRepeat) {
    auto o = stream::once(future::ready(1));
    EXPECT_EQ(o.size_hint(), hint(1, 1));
    (void)next_now(o);
    EXPECT_EQ(o.size_hint(), hint(0, 0));
    EXPECT_EQ(stream::empty<int>().size_hint(), hint(0, 0));
    EXPECT_EQ(stream::pending<int>().size_hint(), hint(0, 0));  // it never yields
    EXPECT_EQ(stream::repeat(1).size_hint(), hint(kMax, kNone));
    EXPECT_EQ(stream::repeat_with([] { return 1; }).size_hint(), hint(kMax, kNone));
}

TEST(CoreStreamSizeHint, FuturesUnorderedAndOrderedCountTheirFutures) {
    ProbeLog log;
    stream::FuturesUnordered<Probe<int>> u;
    EXPECT_EQ(u.size_hint(), hint(0, 0));
    u.push(Probe<int>(log, "a", 1));
    u.push(Probe<int>::never(log, "b"));
    EXPECT_EQ(u.size_hint(), hint(2, 2));
    (void)next_now(u);
    EXPECT_EQ(u.size_hint(), hint(1, 1));

    stream::FuturesOrdered<Probe<int>> o;
    o.push_back(Probe<int>::never(log, "c"));
    o.push_back(Probe<int>(log, "d", 4));
    (void)next_now(o);  // d is done but waits for c: still counted
    EXPECT_EQ(o.size_hint(), hint(2, 2));
}

TEST(CoreStreamSizeHint, BoxStreamForwards) {
    auto b = stream::iter(ints(4)).map([](int v) { return v; }).boxed();
    EXPECT_EQ(b.size_hint(), hint(4, 4));
    EXPECT_EQ(stream::size_hint(b), hint(4, 4));
}

// ---------------------------------------------------------------- pass-through adapters

TEST(CoreStreamSizeHint, MapInspectEnumeratePassTheHintOn) {
    auto s = stream::iter(ints(5)).map([](int v) { return v * 2; }).inspect([](const int&) {}).enumerate();
    EXPECT_EQ(s.size_hint(), hint(5, 5));
    (void)next_now(s);
    EXPECT_EQ(s.size_hint(), hint(4, 4));
    auto [h, st] = hinted(hint(2, kNone));
    auto m = std::move(h).map([](int v) { return v; });
    EXPECT_EQ(m.size_hint(), hint(2, kNone));
}

TEST(CoreStreamSizeHint, ThenCountsTheFutureItRuns) {
    ProbeLog log;
    auto s = stream::iter(ints(3)).then([&](int v) { return Probe<int>(log, "f", v, 1); });
    EXPECT_EQ(s.size_hint(), hint(3, 3));
    EXPECT_TRUE(next_now(s).is_pending());  // took item 0, its future runs
    EXPECT_EQ(s.size_hint(), hint(3, 3));
    EXPECT_TRUE(next_now(s).is_ready());
    EXPECT_EQ(s.size_hint(), hint(2, 2));
}

// ---------------------------------------------------------------- filtering adapters

TEST(CoreStreamSizeHint, FilterAndFilterMapKeepOnlyTheUpperBound) {
    auto f = stream::iter(ints(6)).filter([](const int& v) { return v % 2 == 0; });
    EXPECT_EQ(f.size_hint(), hint(0, 6));
    (void)next_now(f);
    EXPECT_EQ(f.size_hint(), hint(0, 5));
    auto fm = stream::iter(ints(6)).filter_map([](int v) { return v > 3 ? std::optional<int>(v) : std::nullopt; });
    EXPECT_EQ(fm.size_hint(), hint(0, 6));
    auto [h, st] = hinted(hint(3, kNone));
    auto unknown = std::move(h).filter([](const int&) { return true; });
    EXPECT_EQ(unknown.size_hint(), hint(0, kNone));
}

TEST(CoreStreamSizeHint, FilterCountsTheItemWhoseAnswerIsPending) {
    ProbeLog log;
    auto f = stream::iter(ints(3)).filter([&](const int&) { return Probe<bool>(log, "answer", true, 1); });
    EXPECT_TRUE(next_now(f).is_pending());  // item 0 taken, its answer pending
    EXPECT_EQ(f.size_hint(), hint(0, 3));   // 2 left inside + the held one
}

TEST(CoreStreamSizeHint, TakeWhileEndsAtZeroAndSkipWhileBecomesExact) {
    auto tw = stream::iter(ints(5)).take_while([](const int& v) { return v < 1; });
    EXPECT_EQ(tw.size_hint(), hint(0, 5));
    (void)next_now(tw);                                     // 0 passes
    EXPECT_FALSE(next_now(tw).value().has_value());         // 1 stops it
    EXPECT_EQ(tw.size_hint(), hint(0, 0));

    auto sw = stream::iter(ints(5)).skip_while([](const int& v) { return v < 2; });
    EXPECT_EQ(sw.size_hint(), hint(0, 5));
    EXPECT_EQ(next_now(sw).value(), std::optional<int>(2));  // done skipping
    EXPECT_EQ(sw.size_hint(), hint(2, 2));
}

// ---------------------------------------------------------------- take, skip

TEST(CoreStreamSizeHint, TakeCapsBothBounds) {
    EXPECT_EQ(stream::iter(ints(10)).take(3).size_hint(), hint(3, 3));
    EXPECT_EQ(stream::iter(ints(2)).take(3).size_hint(), hint(2, 2));
    EXPECT_EQ(stream::iter(ints(2)).take(0).size_hint(), hint(0, 0));
    EXPECT_EQ(stream::repeat(1).take(4).size_hint(), hint(4, 4));
    auto [h, st] = hinted(hint(1, kNone));
    auto t = std::move(h).take(7);
    EXPECT_EQ(t.size_hint(), hint(1, 7));
    st->items = {1};
    (void)next_now(t);
    EXPECT_EQ(t.size_hint(), hint(1, 6)) << "the inner hint as the test set it, capped by what is left";
}

TEST(CoreStreamSizeHint, SkipSubtractsSaturating) {
    EXPECT_EQ(stream::iter(ints(10)).skip(3).size_hint(), hint(7, 7));
    EXPECT_EQ(stream::iter(ints(2)).skip(3).size_hint(), hint(0, 0));
    auto [h, st] = hinted(hint(5, kNone));
    EXPECT_EQ(std::move(h).skip(2).size_hint(), hint(3, kNone));
    auto s = stream::iter(ints(5)).skip(2);
    (void)next_now(s);  // skipped 2, took 1
    EXPECT_EQ(s.size_hint(), hint(2, 2));
}

// ---------------------------------------------------------------- chain, zip, merge

TEST(CoreStreamSizeHint, ChainAddsAndThenIsTheSecond) {
    auto c = stream::iter(ints(2)).chain(stream::iter(ints(3)));
    EXPECT_EQ(c.size_hint(), hint(5, 5));
    (void)next_now(c);
    (void)next_now(c);
    (void)next_now(c);  // the first ended inside this poll
    EXPECT_EQ(c.size_hint(), hint(2, 2));
}

TEST(CoreStreamSizeHint, ChainSaturatesTheLowerBoundAndLosesTheUpperOnOverflow) {
    auto [a, sa] = hinted(hint(kMax - 1, kMax - 1));
    auto [b, sb] = hinted(hint(5, 5));
    auto c = std::move(a).chain(std::move(b));
    EXPECT_EQ(c.size_hint(), hint(kMax, kNone));
    auto [x, sx] = hinted(hint(1, kNone));
    EXPECT_EQ(std::move(x).chain(stream::iter(ints(2))).size_hint(), hint(3, kNone));
}

TEST(CoreStreamSizeHint, ZipTakesTheMinimumAndCountsAWaitingItem) {
    EXPECT_EQ(stream::iter(ints(4)).zip(stream::iter(ints(6))).size_hint(), hint(4, 4));
    auto [b, sb] = hinted(hint(2, 9));
    auto z = stream::iter(ints(4)).zip(std::move(b));
    EXPECT_EQ(z.size_hint(), hint(2, 4));
    EXPECT_TRUE(next_now(z).is_pending());  // a's item 0 waits for b's
    EXPECT_EQ(z.size_hint(), hint(2, 4)) << "3 left in a plus the waiting one";
    auto [u, su] = hinted(hint(1, kNone));
    EXPECT_EQ(stream::iter(ints(4)).zip(std::move(u)).size_hint(), hint(1, 4));
    auto ended = stream::iter(ints(4)).zip(stream::empty<int>());
    EXPECT_FALSE(next_now(ended).value().has_value());
    EXPECT_EQ(ended.size_hint(), hint(0, 0));
}

TEST(CoreStreamSizeHint, MergeAdds) {
    auto m = stream::iter(ints(2)).merge(stream::iter(ints(3)));
    EXPECT_EQ(m.size_hint(), hint(5, 5));
    (void)next_now(m);
    EXPECT_EQ(m.size_hint(), hint(4, 4));
    auto [u, su] = hinted(hint(1, kNone));
    EXPECT_EQ(stream::iter(ints(2)).merge(std::move(u)).size_hint(), hint(3, kNone));
}

// ---------------------------------------------------------------- fuse, chunks, buffered

TEST(CoreStreamSizeHint, FuseIsZeroOnceDone) {
    auto [h, st] = hinted(hint(0, kNone));
    auto f = std::move(h).fuse();
    EXPECT_EQ(f.size_hint(), hint(0, kNone));
    st->ended = true;
    EXPECT_FALSE(next_now(f).value().has_value());
    EXPECT_EQ(f.size_hint(), hint(0, 0)) << "the inner would still say unknown; fuse knows better";
}

TEST(CoreStreamSizeHint, ChunksRoundsUpAndCountsThePartialChunk) {
    EXPECT_EQ(stream::iter(ints(7)).chunks(3).size_hint(), hint(3, 3));
    EXPECT_EQ(stream::iter(ints(6)).chunks(3).size_hint(), hint(2, 2));
    EXPECT_EQ(stream::iter(ints(0)).chunks(3).size_hint(), hint(0, 0));
    auto [h, st] = hinted(hint(0, kNone));
    st->items = {1, 2};
    auto c = std::move(h).chunks(3);
    EXPECT_TRUE(next_now(c).is_pending());  // holds a partial chunk of 2
    st->hint = hint(0, 4);
    EXPECT_EQ(c.size_hint(), hint(1, 2)) << "2 held + 0..4 to come: 1 or 2 chunks";
    st->hint = hint(kMax, kNone);
    EXPECT_EQ(c.size_hint().second, kNone);
}

TEST(CoreStreamSizeHint, BufferedAndBufferUnorderedCountTheFuturesInFlight) {
    ProbeLog log;
    std::vector<Probe<int>> futs;
    for (int i = 0; i < 5; ++i) futs.push_back(Probe<int>::never(log, "f"));
    auto b = stream::iter(std::move(futs)).buffered(2);
    EXPECT_EQ(b.size_hint(), hint(5, 5));
    EXPECT_TRUE(next_now(b).is_pending());
    EXPECT_EQ(b.size_hint(), hint(5, 5)) << "3 in the stream + 2 in flight";

    std::vector<Probe<int>> more;
    more.push_back(Probe<int>(log, "g", 1));
    more.push_back(Probe<int>::never(log, "h"));
    more.push_back(Probe<int>::never(log, "i"));
    auto u = stream::iter(std::move(more)).buffer_unordered(2);
    EXPECT_EQ(next_now(u).value(), std::optional<int>(1));
    EXPECT_EQ(u.size_hint(), hint(2, 2)) << "1 in the stream + 1 in flight";
}

TEST(CoreStreamSizeHint, ComposedAdaptersChain) {
    // take(4) of filter of 10 items, skip(1): upper 3, lower 0.
    auto s = stream::iter(ints(10)).filter([](const int&) { return true; }).take(4).skip(1);
    EXPECT_EQ(s.size_hint(), hint(0, 3));
    EXPECT_EQ(stream::size_hint(s), hint(0, 3));
}
