// samples/idle_timer.hpp, the idle timeout of echo_server's and
// chat_server's connections, on the paused clock: it expires a whole limit
// after the last progress, not before, a zero limit never expires, and a
// new limit counts from the last progress.
#include <gtest/gtest.h>

#include <chrono>

#include <pollen.hpp>

#include "../samples/idle_timer.hpp"

using namespace pollen;
using namespace std::chrono_literals;
using samples::IdleTimer;

namespace {

Runtime paused_runtime() { return Builder::new_current_thread().enable_all().start_paused(true).build(); }

/// Ready once `timer` expired (the connection's wait, without the socket).
auto expiry(IdleTimer& timer) {
    return future::poll_fn([&timer](Context& cx) -> Poll<void> {
        if (timer.poll_expired(cx)) return ready();
        return pending;
    });
}

}  // namespace

TEST(SamplesIdleTimer, ExpiresOneLimitAfterItStartsWithoutProgress) {
    Runtime rt = paused_runtime();
    auto inside = rt.enter();
    time::Instant start = time::Instant::now();
    IdleTimer timer(100ms);
    rt.block_on(expiry(timer));
    EXPECT_EQ(time::Instant::now() - start, time::Duration(100ms));
}

TEST(SamplesIdleTimer, ProgressPushesTheDeadlineBack) {
    Runtime rt = paused_runtime();
    auto inside = rt.enter();
    time::Instant start = time::Instant::now();
    IdleTimer timer(100ms);
    // Progress at 60 ms and at 130 ms (after the first deadline was set,
    // before and after it would have fired): idle from 130 ms on.
    auto progress = rt.spawn(time::sleep(60ms).then([&timer] {
        timer.touch();
        return time::sleep(70ms).map([&timer] { timer.touch(); });
    }));
    rt.block_on(expiry(timer));
    EXPECT_EQ(time::Instant::now() - start, time::Duration(230ms));
    EXPECT_TRUE(rt.block_on(std::move(progress)).is_ok());
}

TEST(SamplesIdleTimer, AZeroLimitNeverExpires) {
    Runtime rt = paused_runtime();
    auto inside = rt.enter();
    IdleTimer timer(time::Duration::zero());
    auto first = rt.block_on(race(expiry(timer).map([] { return 1; }), time::sleep(24h).map([] { return 2; })));
    EXPECT_EQ(first, 2);
}

// A new limit (mini_redis's CONFIG SET timeout) counts from the last
// progress; set where there was none, from the moment it is set; zero
// turns it off.
TEST(SamplesIdleTimer, ANewLimitCountsFromTheLastProgressAndZeroTurnsItOff) {
    Runtime rt = paused_runtime();
    auto inside = rt.enter();
    time::Instant start = time::Instant::now();
    IdleTimer timer(time::Duration::zero());
    rt.block_on(time::sleep(50ms));
    timer.set_limit(100ms);  // none before: from now, 50 ms
    rt.block_on(expiry(timer));
    EXPECT_EQ(time::Instant::now() - start, time::Duration(150ms));

    timer.touch();  // progress at 150 ms
    rt.block_on(time::sleep(20ms));
    timer.set_limit(40ms);  // as the connection does: just before it waits
    rt.block_on(expiry(timer));
    EXPECT_EQ(time::Instant::now() - start, time::Duration(190ms)) << "40 ms after the progress, not after the change";

    timer.set_limit(time::Duration::zero());
    auto first = rt.block_on(race(expiry(timer).map([] { return 1; }), time::sleep(24h).map([] { return 2; })));
    EXPECT_EQ(first, 2);
}
