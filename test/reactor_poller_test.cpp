// The reactor's OS contract (reactor/detail/poller.hpp) and the turn around
// it: a wait returns at most its buffer's capacity and the OS keeps the rest
// for the next waits, so a reactor whose buffer is smaller than its ready
// descriptors dispatches them all over several turns; the wake-up ends a
// wait with the null token; an interrupted wait is no failure; any other
// failing wait is returned by the Poller and kills the program loudly in
// the reactor (Tokio panics "unexpected error when polling the I/O driver").
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <set>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <pollen/reactor/detail/poller.hpp>
#include <pollen/reactor/detail/io_source.hpp>
#include <pollen/reactor/detail/reactor.hpp>
#include <pollen/reactor/sleep.hpp>
#include <pollen/runtime/builder.hpp>
#include <pollen/runtime/runtime.hpp>
#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/fault_plan.hpp"

using namespace pollen;
using namespace std::chrono_literals;
using Call = test::FaultPlan::Call;

namespace {

constexpr std::size_t kPipes = 10;

/// kPipes pipes; the read ends are what a test watches.
struct Pipes {
    std::array<std::array<int, 2>, kPipes> fds{};
    Pipes() {
        for (auto& p : fds) EXPECT_EQ(::pipe(p.data()), 0);
    }
    ~Pipes() {
        for (auto& p : fds)
            for (int fd : p)
                if (fd >= 0) ::close(fd);
    }
    void write_all() {
        for (auto& p : fds) EXPECT_EQ(::write(p[1], "x", 1), 1);
    }
};

TEST(ReactorPoller, AWaitReturnsAtMostTheBufferAndTheRestOnLaterWaits) {
    detail::Poller poller;
    detail::Events events(4);
    Pipes pipes;
    std::array<int, kPipes> tokens{};
    for (std::size_t i = 0; i < kPipes; ++i) ASSERT_FALSE(poller.watch(pipes.fds[i][0], &tokens[i]));
    pipes.write_all();

    std::multiset<void*> seen;
    std::vector<std::size_t> sizes;
    for (int wait = 0; wait < 4; ++wait) {
        ASSERT_FALSE(poller.wait(events, 0));
        sizes.push_back(events.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            detail::PollEvent e = events[i];
            EXPECT_TRUE(e.ready & detail::readiness::kReadable);
            seen.insert(e.token);
        }
        EXPECT_EQ(events.capacity(), 4u);  // the same buffer, every wait
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{4, 4, 2, 0}));
    ASSERT_EQ(seen.size(), kPipes);
    for (auto& t : tokens) EXPECT_EQ(seen.count(&t), 1u);  // each once: none lost, none twice
    for (auto& p : pipes.fds) poller.unwatch(p[0]);
}

TEST(ReactorPoller, WakeFromAnotherThreadEndsAWaitWithTheNullToken) {
    detail::Poller poller;
    detail::Events events;
    std::thread waker([&] { poller.wake(); });
    ASSERT_FALSE(poller.wait(events, -1));  // no timeout: only the wake ends it
    waker.join();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].token, nullptr);
}

TEST(ReactorPoller, InterruptedWaitIsOkWithNoEvents) {
    test::FaultPlan plan;
    test::FaultPlan::Installed on(plan);
    detail::Poller poller;
    detail::Events events;
    poller.wake();  // something to report, had the wait run
    plan.interrupt(Call::Wait, 1);
    EXPECT_FALSE(poller.wait(events, -1));
    EXPECT_TRUE(events.empty());
    EXPECT_EQ(plan.injected(Call::Wait), 1u);
    ASSERT_FALSE(poller.wait(events, -1));  // the real call: the wake is still there
    EXPECT_EQ(events.size(), 1u);
}

TEST(ReactorPoller, FailingWaitIsReturnedWithNoEvents) {
    test::FaultPlan plan;
    test::FaultPlan::Installed on(plan);
    detail::Poller poller;
    detail::Events events;
    poller.wake();
    ASSERT_FALSE(poller.wait(events, 0));
    ASSERT_EQ(events.size(), 1u);
    plan.fail(Call::Wait, EBADF);
    std::error_code ec = poller.wait(events, 0);
    EXPECT_EQ(ec, std::error_code(EBADF, std::generic_category()));
    EXPECT_TRUE(events.empty());  // not the previous wait's events
}

TEST(ReactorTurn, MoreReadyDescriptorsThanTheBufferAreAllDispatchedOverSeveralTurns) {
    test::CountingWaker cw;
    auto reactor = std::make_shared<detail::Reactor>(4);
    detail::Reactor::EnterGuard enter(reactor.get());
    Pipes pipes;
    std::vector<detail::IoSource> sources;
    for (auto& p : pipes.fds) {
        std::error_code ec;
        sources.emplace_back(std::exchange(p[0], -1), ec);
        ASSERT_FALSE(ec) << ec.message();
    }
    Waker wk = cw.waker();
    Context cx(wk);
    for (auto& s : sources) EXPECT_TRUE(s.poll_ready(cx, detail::Direction::Read).is_pending());
    pipes.write_all();

    std::vector<std::size_t> woken;
    for (int turn = 0; turn < 4; ++turn) {
        reactor->turn(0ns);
        woken.push_back(cw.wakes_total());
    }
    // Four per turn (the buffer), then the rest, then nothing: none lost.
    EXPECT_EQ(woken, (std::vector<std::size_t>{4, 8, 10, 10}));
    for (auto& s : sources) EXPECT_TRUE(s.poll_ready(cx, detail::Direction::Read).is_ready());
}

// The reactor cannot go on after a failing wait (its tasks would wait for
// I/O and timers that never come): it says why and aborts, on either flavour.
void block_on_a_sleep_with_failing_waits(Builder builder) {
    test::FaultPlan plan;
    test::FaultPlan::Installed on(plan);
    plan.fail(Call::Wait, EBADF);
    Runtime rt = builder.enable_all().build();
    rt.block_on(time::sleep(50ms));
}

TEST(ReactorTurnDeathTest, FailingWaitAbortsLoudlyOnTheCurrentThreadRuntime) {
    EXPECT_DEATH(block_on_a_sleep_with_failing_waits(Builder::new_current_thread()),
                 "pollen: unexpected error when polling the I/O driver: Bad file descriptor");
}

TEST(ReactorTurnDeathTest, FailingWaitAbortsLoudlyOnTheMultiThreadRuntime) {
    EXPECT_DEATH(block_on_a_sleep_with_failing_waits(Builder::new_multi_thread().worker_threads(2)),
                 "pollen: unexpected error when polling the I/O driver: Bad file descriptor");
}

TEST(ReactorTurn, InterruptedWaitsAreNoFailure) {
    test::FaultPlan plan;
    test::FaultPlan::Installed on(plan);
    plan.interrupt(Call::Wait, 2);
    Runtime rt = Builder::new_current_thread().enable_all().build();
    rt.block_on(time::sleep(5ms));
    EXPECT_GT(plan.injected(Call::Wait), 0u);
}

}  // namespace
