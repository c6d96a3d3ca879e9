// Time-based stream adapters on the paused clock: spacing, per-item
// timeouts that keep the stream alive, and an interval as a stream.
#include <gtest/gtest.h>

// GCC 12 reports a false maybe-uninitialized warning on the Poll of a
// Result inside Timeout (the Makefile's sanitizer builds silence it too).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <vector>

#include <pollen.hpp>

#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace std::chrono_literals;

namespace {
Runtime paused_runtime() { return Builder::new_current_thread().start_paused(true).build(); }

long ms_since(time::Instant start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time::Instant::now() - start).count();
}
}  // namespace

TEST(StreamTime, ThrottleSpacesItemsByThePeriod) {
    Runtime rt = paused_runtime();
    auto offsets = rt.block_on(lazy([] {
        auto start = time::Instant::now();
        return time::throttle(stream::iter(std::vector<int>{1, 2, 3}), 100ms)
            .map([start](int) { return ms_since(start); })
            .collect();
    }).then([](auto f) { return f; }));
    EXPECT_EQ(offsets, (std::vector<long>{0, 100, 200}));
}

TEST(StreamTime, TimeoutReportsASlowItemOnceAndStillDeliversIt) {
    Runtime rt = paused_runtime();
    auto items = rt.block_on(lazy([] {
        // Item 1 at once, item 2 after 250 ms; the limit is 100 ms per item.
        auto slow = stream::iter(std::vector<int>{1, 2}).then([](int v) {
            return time::sleep(v == 2 ? 250ms : 0ms).map([v] { return v; });
        });
        return time::timeout(std::move(slow), 100ms)
            .map([](Result<int, time::Elapsed> r) { return r.is_ok() ? r.value() : -1; })
            .collect();
    }).then([](auto f) { return f; }));
    // 1; at 100 ms the deadline fires, once for this item; at 250 ms item 2 arrives.
    EXPECT_EQ(items, (std::vector<int>{1, -1, 2}));
}

TEST(StreamTime, TimeoutCountsTheLimitFromThePreviousItemNotFromTheAsk) {
    // tokio-stream: the deadline is set when an item is yielded. A consumer
    // that comes back late finds it passed at once; the next item then
    // arrives with no second Elapsed.
    Runtime rt = paused_runtime();
    test::EnterRuntime enter(rt);
    auto start = time::Instant::now();
    auto s = time::timeout(time::interval_stream(300ms), 100ms);
    auto next = [&] {
        auto r = *rt.block_on(s.next());
        return std::pair(r.is_ok(), ms_since(start));
    };
    EXPECT_EQ(next(), std::pair(true, 0L));
    rt.block_on(time::sleep(150ms));
    EXPECT_EQ(next(), std::pair(false, 150L));
    EXPECT_EQ(next(), std::pair(true, 300L));
}

TEST(StreamTime, TimeoutEndsWithTheStreamAndStaysEnded) {
    // Fused, as tokio-stream's: after the end the inner stream is not polled
    // again (this one would yield another item) and no Elapsed follows.
    Runtime rt = paused_runtime();
    test::EnterRuntime enter(rt);
    int polls = 0;
    auto inner = stream::poll_fn([&polls](Context&) -> Poll<std::optional<int>> {
        ++polls;
        return Ready<std::optional<int>>{polls == 2 ? std::nullopt : std::optional<int>(polls)};
    });
    auto s = time::timeout(std::move(inner), 100ms);
    EXPECT_TRUE(rt.block_on(s.next())->is_ok());
    EXPECT_FALSE(rt.block_on(s.next()).has_value());
    rt.block_on(time::sleep(1s));
    EXPECT_FALSE(rt.block_on(s.next()).has_value());
    EXPECT_EQ(polls, 2);
}

TEST(StreamTime, IntervalStreamTicksOnTheGrid) {
    Runtime rt = paused_runtime();
    auto offsets = rt.block_on(lazy([] {
        auto start = time::Instant::now();
        return time::interval_stream(50ms).take(4).map([start](time::Instant t) {
            return (long)std::chrono::duration_cast<std::chrono::milliseconds>(t - start).count();
        }).collect();
    }).then([](auto f) { return f; }));
    EXPECT_EQ(offsets, (std::vector<long>{0, 50, 100, 150}));
}
