// pollen::signal: deliveries reach every listener, ctrl_c replaces the
// default SIGINT action, destroyed listeners unregister, a shut-down runtime
// ends the stream. Signals are raised at this process (raise/kill), which
// the handler turns into pipe bytes; nothing here depends on timing.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include <pollen.hpp>
#include <pollen/reactor/detail/signal_registry.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::signal::Signal;

namespace {

Runtime current_thread() { return Builder::new_current_thread().build(); }

Signal listen(int signo) {
    auto s = pollen::signal::signal(signo);
    EXPECT_TRUE(s.is_ok());
    return std::move(s).unwrap();
}

}  // namespace

TEST(Signal, EveryListenerReceivesADelivery) {
    Runtime rt = current_thread();
    Signal a = listen(SIGUSR1);
    Signal b = listen(SIGUSR1);
    ASSERT_EQ(::raise(SIGUSR1), 0);
    auto [ra, rb] = rt.block_on(join(a.recv(), b.recv()));
    EXPECT_TRUE(ra.has_value());
    EXPECT_TRUE(rb.has_value());
}

TEST(Signal, ADeliveryWhileWaitingWakesTheTask) {
    Runtime rt = Runtime::builder().worker_threads(2).build();
    auto got = rt.block_on(lazy([] { return listen(SIGUSR2); }).then([](Signal s) {
        auto shared = std::make_shared<Signal>(std::move(s));
        auto waiter = spawn(poll_fn([shared](Context& cx) { return shared->poll_recv(cx); }));
        // The signal comes from another thread while the task is (or will be) parked.
        std::thread([] { ::kill(::getpid(), SIGUSR2); }).detach();
        return waiter;
    }));
    ASSERT_TRUE(got.is_ok());
    EXPECT_TRUE(got.value().has_value());
}

TEST(Signal, CtrlCCompletesOnSigintInsteadOfTerminating) {
    Runtime rt = current_thread();
    auto ctrl_c = pollen::signal::ctrl_c();  // from here on SIGINT no longer kills us
    ASSERT_EQ(::raise(SIGINT), 0);
    EXPECT_TRUE(rt.block_on(std::move(ctrl_c)).is_ok());
}

TEST(Signal, DestroyedListenerUnregistersAndOthersStillReceive) {
    Runtime rt = current_thread();
    std::size_t before = pollen::signal::detail::listener_count(SIGUSR1);
    Signal keep = listen(SIGUSR1);
    auto result = rt.block_on(poll_fn([&](Context& cx) -> Poll<int> {
        {
            Signal dropped = listen(SIGUSR1);
            EXPECT_EQ(pollen::signal::detail::listener_count(SIGUSR1), before + 2);
            EXPECT_TRUE(dropped.poll_recv(cx).is_pending());  // its waker is stored, then it goes
        }
        EXPECT_EQ(pollen::signal::detail::listener_count(SIGUSR1), before + 1);
        return Ready<int>{::raise(SIGUSR1)};
    }).then([&](int rc) {
        EXPECT_EQ(rc, 0);
        return keep.recv();
    }));
    EXPECT_TRUE(result.has_value());
}

TEST(Signal, ListenerCountsDeliveriesFromCreationWithoutARecvPending) {
    Runtime rt = current_thread();
    Signal s = listen(SIGUSR1);
    Signal probe = listen(SIGUSR1);
    // Two deliveries, the second raised once the first was handed out (probe
    // saw it), so the OS cannot coalesce them; `s` is not polled meanwhile.
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(::raise(SIGUSR1), 0);
        ASSERT_TRUE(rt.block_on(probe.recv()).has_value());
    }
    EXPECT_TRUE(rt.block_on(s.recv()).has_value());
    EXPECT_TRUE(rt.block_on(s.recv()).has_value());
}

TEST(Signal, IsAStreamOfTheSignalNumber) {
    Runtime rt = current_thread();
    Signal s = listen(SIGUSR2);
    static_assert(Stream<Signal>);
    ASSERT_EQ(::raise(SIGUSR2), 0);
    auto item = rt.block_on(poll_fn([&](Context& cx) { return s.poll_next(cx); }));
    ASSERT_TRUE(item.has_value());
    EXPECT_EQ(*item, SIGUSR2);
}

TEST(Signal, EndsWhenItsRuntimeShutsDown) {
    std::optional<Signal> s;
    {
        Runtime rt = current_thread();
        s.emplace(listen(SIGUSR1));
        rt.block_on(poll_fn([&](Context& cx) -> Poll<int> {
            EXPECT_TRUE(s->poll_recv(cx).is_pending());  // attached to rt's reactor
            return Ready<int>{0};
        }));
    }
    pollen::test::CountingWaker cw;
    Waker w = cw.waker();
    Context cx(w);
    auto p = s->poll_recv(cx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_FALSE(p.value().has_value());
}

TEST(Signal, UncatchableSignalsAreRefused) {
    for (int signo : {SIGKILL, SIGSTOP, SIGSEGV, 0, NSIG}) {
        auto s = pollen::signal::signal(signo);
        ASSERT_TRUE(s.is_err()) << signo;
        EXPECT_EQ(s.error(), std::make_error_code(std::errc::invalid_argument));
    }
}

TEST(Signal, PolledOutsideARuntimeThrows) {
    Signal s = listen(SIGUSR1);  // creating one outside a runtime is fine
    pollen::test::CountingWaker cw;
    Waker w = cw.waker();
    Context cx(w);
    EXPECT_THROW((void)s.poll_recv(cx), std::logic_error);
}
