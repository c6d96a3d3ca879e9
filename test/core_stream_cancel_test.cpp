// Cancellation is destruction: what each stream adapter destroys, in which
// order, when it is destroyed mid-way, and that every waker clone it took is
// released (the CountingWaker balances; ASan sees no leak).
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
using pollen::test::poll_once;
using pollen::test::Probe;
using pollen::test::ProbeLog;
using Strings = std::vector<std::string>;

namespace {

/// An item that records its destruction ("drop:<name>") unless moved from.
struct Tracked {
    ProbeLog* log = nullptr;
    std::string name;
    Tracked(ProbeLog& l, std::string n) : log(&l), name(std::move(n)) {}
    Tracked(Tracked&& o) noexcept : log(std::exchange(o.log, nullptr)), name(std::move(o.name)) {}
    Tracked& operator=(Tracked&& o) noexcept {
        if (this != &o) {
            if (log) log->record("drop:" + name);
            log = std::exchange(o.log, nullptr);
            name = std::move(o.name);
        }
        return *this;
    }
    ~Tracked() {
        if (log) log->record("drop:" + name);
    }
};

/// A stream of the items pushed into it, Pending (holding a waker clone)
/// when empty; records "drop:<name>" when destroyed.
template <class T>
class LoggedStream : public StreamExt<LoggedStream<T>> {
public:
    using Item = T;
    LoggedStream(ProbeLog& log, std::string name) : log_(&log), name_(std::move(name)) {}
    LoggedStream(LoggedStream&& o) noexcept
        : log_(std::exchange(o.log_, nullptr)), name_(std::move(o.name_)), items_(std::move(o.items_)),
          waker_(std::move(o.waker_)) {}
    ~LoggedStream() {
        items_.clear();
        if (log_) log_->record("drop:" + name_);
    }
    LoggedStream&& with(T item) && {
        items_.push_back(std::move(item));
        return std::move(*this);
    }
    Poll<std::optional<T>> poll_next(Context& cx) {
        if (!items_.empty()) {
            T v = std::move(items_.front());
            items_.pop_front();
            return Ready<std::optional<T>>{std::optional<T>(std::move(v))};
        }
        waker_ = cx.waker();
        return pending;
    }

private:
    ProbeLog* log_;
    std::string name_;
    std::deque<T> items_;
    std::optional<Waker> waker_;
};

template <class S>
Poll<std::optional<item_t<S>>> poll_next(S& s, CountingWaker& cw) {
    Waker w = cw.waker();
    Context cx(w);
    return s.poll_next(cx);
}

}  // namespace

TEST(CoreStreamCancel, ThenDestroysTheRunningFutureThenTheStream) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto s = LoggedStream<int>(log, "stream").with(1).then([&](int) { return Probe<int>::never(log, "fut"); });
        EXPECT_TRUE(poll_next(s, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"fut", "stream"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamCancel, FilterDestroysTheAnswerBeforeTheItemItMayReferTo) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto s = LoggedStream<Tracked>(log, "stream").with(Tracked(log, "item")).filter([&](const Tracked&) {
            return Probe<bool>::never(log, "answer");
        });
        EXPECT_TRUE(poll_next(s, cw).is_pending());
        EXPECT_TRUE(log.drops().empty());
    }
    EXPECT_EQ(log.drops(), (Strings{"answer", "item", "stream"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamCancel, TakeWhileDestroysTheAnswerTheItemThenTheStream) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto s = LoggedStream<Tracked>(log, "stream").with(Tracked(log, "item")).take_while(
            [&](const Tracked&) { return Probe<bool>::never(log, "answer"); });
        EXPECT_TRUE(poll_next(s, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"answer", "item", "stream"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamCancel, TakeWhileDropsTheRejectedItemAndTheStreamWhenItEnds) {
    CountingWaker cw;
    ProbeLog log;
    auto s = LoggedStream<Tracked>(log, "stream").with(Tracked(log, "item")).take_while([](const Tracked&) {
        return false;
    });
    auto p = poll_next(s, cw);
    EXPECT_TRUE(p.is_ready() && !p.value());
    EXPECT_EQ(log.drops(), (Strings{"item", "stream"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamCancel, ZipDestroysAsWaitingItemAndABeforeB) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto s = LoggedStream<Tracked>(log, "a").with(Tracked(log, "a-item")).zip(LoggedStream<int>(log, "b"));
        EXPECT_TRUE(poll_next(s, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"a-item", "a", "b"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamCancel, ChainAndMergeDestroyTheFirstStreamFirst) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto s = LoggedStream<int>(log, "a").chain(LoggedStream<int>(log, "b"));
        EXPECT_TRUE(poll_next(s, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"a", "b"}));
    log.clear();
    {
        auto s = LoggedStream<int>(log, "a").merge(LoggedStream<int>(log, "b"));
        EXPECT_TRUE(poll_next(s, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"a", "b"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamCancel, ChunksDestroysThePartialChunk) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto s = LoggedStream<Tracked>(log, "stream").with(Tracked(log, "x")).chunks(2);
        EXPECT_TRUE(poll_next(s, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"x", "stream"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamCancel, BufferedDestroysTheStreamThenTheRunningFutures) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto futs = LoggedStream<int>(log, "stream").with(1).map([&](int) { return Probe<int>::never(log, "fut"); });
        auto s = std::move(futs).buffered(2);
        EXPECT_TRUE(poll_next(s, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"stream", "fut"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamCancel, BufferUnorderedDestroysTheStreamThenTheRunningFutures) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto futs = LoggedStream<int>(log, "stream").with(1).map([&](int) { return Probe<int>::never(log, "fut"); });
        auto s = std::move(futs).buffer_unordered(2);
        EXPECT_TRUE(poll_next(s, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"stream", "fut"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamCancel, ForEachConcurrentDestroysTheStreamThenTheRunningFutures) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto f = LoggedStream<int>(log, "stream").with(1).for_each_concurrent(
            2, [&](int) { return Probe<void>::never(log, "fut"); });
        EXPECT_TRUE(poll_once(f, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"stream", "fut"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamCancel, ForEachAndCollectDestroyTheirWorkAndTheStream) {
    CountingWaker cw;
    ProbeLog log;
    {
        auto f = LoggedStream<int>(log, "stream").with(1).for_each([&](int) { return Probe<void>::never(log, "fut"); });
        EXPECT_TRUE(poll_once(f, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"fut", "stream"}));
    log.clear();
    {
        auto f = LoggedStream<Tracked>(log, "stream").with(Tracked(log, "kept")).collect();
        EXPECT_TRUE(poll_once(f, cw).is_pending());
    }
    EXPECT_EQ(log.drops(), (Strings{"kept", "stream"}));
    EXPECT_TRUE(cw.balanced());
}

TEST(CoreStreamCancel, BoxedStreamDestroysWhatItHolds) {
    CountingWaker cw;
    ProbeLog log;
    {
        BoxStream<int> s =
            LoggedStream<int>(log, "stream").with(1).then([&](int) { return Probe<int>::never(log, "fut"); }).boxed();
        EXPECT_TRUE(poll_next(s, cw).is_pending());
        BoxStream<int> moved = std::move(s);
        EXPECT_TRUE(log.drops().empty());
    }
    EXPECT_EQ(log.drops(), (Strings{"fut", "stream"}));
    EXPECT_TRUE(cw.balanced());
}
