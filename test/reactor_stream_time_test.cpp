// Time-based stream adapters on the paused clock: spacing, per-item
// timeouts that keep the stream alive, and an interval as a stream.
#include <gtest/gtest.h>

#include <vector>

#include <pollen.hpp>

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
    // 1; at 100 ms and 200 ms the deadline fires; at 250 ms item 2 arrives.
    EXPECT_EQ(items, (std::vector<int>{1, -1, -1, 2}));
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
