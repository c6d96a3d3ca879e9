// Stream sources: iter, once, empty, pending, repeat, repeat_with, poll_fn,
// unfold; and next(), which borrows a stream.
#include <gtest/gtest.h>

#include <list>
#include <memory>
#include <optional>
#include <ranges>
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

template <class S>
Poll<std::optional<item_t<S>>> poll_next(S& s, const Waker& w = noop_waker_ref()) {
    Context cx(w);
    return s.poll_next(cx);
}

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

}  // namespace

// ---------------------------------------------------------------- iter

TEST(CoreStreamIter, YieldsARangeInOrderThenEnds) {
    auto s = stream::iter(std::list<int>{3, 1, 2});
    EXPECT_EQ(drain(s), (Ints{3, 1, 2}));
    auto end = poll_next(s);
    EXPECT_TRUE(end.is_ready() && !end.value());
}

TEST(CoreStreamIter, CopiesAnLvalueContainer) {
    Strings v{"a", "b"};
    EXPECT_EQ(drain(stream::iter(v)), v);
    EXPECT_EQ(v, (Strings{"a", "b"}));
}

TEST(CoreStreamIter, MovesElementsOutOfAnOwnedContainer) {
    std::vector<std::unique_ptr<int>> v;
    v.push_back(std::make_unique<int>(4));
    v.push_back(std::make_unique<int>(5));
    auto s = stream::iter(std::move(v));
    auto items = drain(s);
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(*items[1], 5);
}

TEST(CoreStreamIter, BorrowsThroughAViewWithoutStealing) {
    Strings v{"x", "y"};
    EXPECT_EQ(drain(stream::iter(std::views::all(v))), v);
    EXPECT_EQ(v, (Strings{"x", "y"}));
    EXPECT_EQ(drain(stream::iter(std::views::iota(0, 4))), (Ints{0, 1, 2, 3}));
}

TEST(CoreStreamIter, TakesABracedList) { EXPECT_EQ(drain(stream::iter({7, 8})), (Ints{7, 8})); }

// ---------------------------------------------------------------- once, empty, pending

TEST(CoreStreamOnce, YieldsTheFutureOutputOnceAndDropsTheFuture) {
    ProbeLog log;
    auto s = stream::once(Probe<int>(log, "f", 42, 1));
    EXPECT_TRUE(poll_next(s).is_pending());
    auto p = poll_next(s);
    ASSERT_TRUE(p.is_ready() && p.value());
    EXPECT_EQ(*p.value(), 42);
    EXPECT_EQ(log.drops(), (Strings{"f"}));
    auto end = poll_next(s);
    EXPECT_TRUE(end.is_ready() && !end.value());
}

TEST(CoreStreamOnce, VoidFutureYieldsUnit) {
    EXPECT_EQ(drain(stream::once(future::ready())).size(), 1u);
}

TEST(CoreStreamEmpty, EndsAtOnce) {
    auto s = stream::empty<std::string>();
    auto p = poll_next(s);
    EXPECT_TRUE(p.is_ready() && !p.value());
}

TEST(CoreStreamPending, NeverYieldsAndNeverTouchesTheWaker) {
    CountingWaker cw;
    auto s = stream::pending<int>();
    {
        Waker w = cw.waker();
        EXPECT_TRUE(poll_next(s, w).is_pending());
    }
    EXPECT_EQ(cw.clones(), 0u);
    EXPECT_TRUE(cw.balanced());
}

// ---------------------------------------------------------------- repeat, poll_fn

TEST(CoreStreamRepeat, YieldsCopiesForever) {
    EXPECT_EQ(drain(stream::repeat(std::string("ab")).take(3)), (Strings{"ab", "ab", "ab"}));
}

TEST(CoreStreamRepeatWith, CallsTheClosureForEachItem) {
    int n = 0;
    EXPECT_EQ(drain(stream::repeat_with([&] { return n++; }).take(4)), (Ints{0, 1, 2, 3}));
}

TEST(CoreStreamPollFn, PollNextIsTheClosure) {
    int calls = 0;
    auto s = stream::poll_fn([&](Context& cx) -> Poll<std::optional<int>> {
        ++calls;
        if (calls == 1) {
            cx.waker().wake_by_ref();
            return pending;
        }
        if (calls <= 3) return ready(std::optional<int>(calls));
        return ready(std::optional<int>());
    });
    CountingWaker cw;
    {
        Waker w = cw.waker();
        EXPECT_TRUE(poll_next(s, w).is_pending());
    }
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_EQ(drain(s), (Ints{2, 3}));
}

// ---------------------------------------------------------------- unfold

TEST(CoreStreamUnfold, ThreadsTheStateThroughAnImmediateClosure) {
    auto s = stream::unfold(1, [](int state) -> std::optional<std::pair<int, int>> {
        if (state > 100) return std::nullopt;
        return std::pair(state, state * 3);
    });
    EXPECT_EQ(drain(s), (Ints{1, 3, 9, 27, 81}));
}

TEST(CoreStreamUnfold, RunsTheFutureTheClosureReturns) {
    ProbeLog log;
    using Step = std::optional<std::pair<std::string, int>>;
    auto s = stream::unfold(0, [&](int state) {
        Step step;
        if (state < 2) step.emplace(std::to_string(state), state + 1);
        return Probe<Step>(log, "step" + std::to_string(state), std::move(step), 1);
    });
    Strings items;
    for (int i = 0; i < 20; ++i) {
        auto p = poll_next(s);
        if (p.is_pending()) continue;
        if (!p.value()) break;
        items.push_back(*p.value());
    }
    EXPECT_EQ(items, (Strings{"0", "1"}));
    EXPECT_EQ(log.drops(), (Strings{"step0", "step1", "step2"}));
    EXPECT_EQ(log.polls().size(), 6u);  // each step Pending once, then Ready
}

TEST(CoreStreamUnfold, DestroyingMidWayDestroysThePendingStep) {
    ProbeLog log;
    {
        auto s = stream::unfold(0, [&](int) {
            return Probe<std::optional<std::pair<int, int>>>::never(log, "step");
        });
        EXPECT_TRUE(poll_next(s).is_pending());
        EXPECT_TRUE(log.drops().empty());
    }
    EXPECT_EQ(log.drops(), (Strings{"step"}));
}

// ---------------------------------------------------------------- next

TEST(CoreStreamNext, BorrowsTheStreamAndYieldsOneItemAtATime) {
    auto s = stream::iter({1, 2});
    auto a = s.next();
    EXPECT_EQ(poll_once(a).take(), std::optional<int>(1));
    auto b = s.next();
    EXPECT_EQ(poll_once(b).take(), std::optional<int>(2));
    auto c = stream::next(s);
    EXPECT_EQ(poll_once(c).take(), std::nullopt);
}

TEST(CoreStreamNext, DroppingAPendingNextLosesNothing) {
    int calls = 0;
    auto s = stream::poll_fn([&](Context&) -> Poll<std::optional<int>> {
        if (++calls == 1) return pending;
        return ready(std::optional<int>(calls));
    });
    {
        auto n = s.next();
        EXPECT_TRUE(poll_once(n).is_pending());
    }
    auto n = s.next();
    EXPECT_EQ(poll_once(n).take(), std::optional<int>(2));
}
