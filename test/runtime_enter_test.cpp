// Runtime::enter() / Handle::enter(): the guard that puts the calling thread
// inside a runtime (Tokio's EnterGuard), for spawning and for finding the
// runtime from plain code. Both flavours.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <thread>

#include <pollen.hpp>
#include <pollen/runtime/enter_guard.hpp>

using namespace pollen;

namespace {

Runtime make_runtime(bool multi_thread) {
    if (multi_thread) return Builder::new_multi_thread().worker_threads(2).build();
    return Builder::new_current_thread().build();
}

class Enter : public ::testing::TestWithParam<bool> {};

bool current_is(const Runtime& rt) {
    return Handle::in_runtime() && &Handle::current().scheduler() == &rt.handle().scheduler();
}

}  // namespace

TEST_P(Enter, SpawnAndHandleCurrentWorkWhileTheGuardLives) {
    Runtime rt = make_runtime(GetParam());
    EXPECT_FALSE(Handle::in_runtime());
    EXPECT_THROW(Handle::current(), std::logic_error);
    std::optional<JoinHandle<int>> h;
    {
        auto guard = rt.enter();
        EXPECT_TRUE(current_is(rt));
        h.emplace(spawn(future::ready(3)));
    }
    EXPECT_FALSE(Handle::in_runtime());
    EXPECT_THROW(spawn(future::ready(4)), std::logic_error);
    EXPECT_EQ(rt.block_on(std::move(*h)).value(), 3);
}

TEST_P(Enter, BlockOnStaysAllowedUnderTheGuardOutsideATask) {
    Runtime rt = make_runtime(GetParam());
    auto guard = rt.enter();
    EXPECT_EQ(rt.block_on(future::ready(1)), 1);
    EXPECT_TRUE(current_is(rt));  // block_on restored the guard's runtime
}

TEST_P(Enter, InsideATaskEnteringAnotherRuntimeKeepsBlockOnRefused) {
    Runtime rt = make_runtime(GetParam());
    Runtime other = make_runtime(GetParam());
    auto r = rt.block_on(rt.spawn(future::lazy([&] {
        auto guard = other.enter();
        EXPECT_TRUE(current_is(other));
        EXPECT_THROW(other.block_on(future::ready(1)), std::logic_error);
        return 0;
    })));
    EXPECT_TRUE(r.is_ok());
}

TEST_P(Enter, GuardsNestAndTheInnermostRuntimeWins) {
    Runtime outer = make_runtime(GetParam());
    Runtime inner = make_runtime(GetParam());
    auto g1 = outer.enter();
    {
        auto g2 = inner.handle().enter();
        EXPECT_TRUE(current_is(inner));
    }
    EXPECT_TRUE(current_is(outer));
}

TEST_P(Enter, AHandleEntersTheRuntimeFromAThreadItDoesNotOwn) {
    Runtime rt = make_runtime(GetParam());
    std::optional<JoinHandle<int>> h;
    std::thread foreign([&, handle = rt.handle()] {
        auto guard = handle.enter();
        h.emplace(spawn(future::ready(8)));
    });
    foreign.join();
    EXPECT_EQ(rt.block_on(std::move(*h)).value(), 8);
}

TEST_P(Enter, TheGuardKeepsTheSchedulerAliveAfterTheRuntimeIsGone) {
    std::optional<Runtime> rt(make_runtime(GetParam()));
    auto guard = rt->enter();
    rt.reset();  // shut down: what is spawned now is cancelled, not a crash
    auto h = spawn(future::ready(1));
    EXPECT_TRUE(h.is_finished());
    Context cx(noop_waker_ref());
    auto p = h.poll(cx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.take().error().is_cancelled());
}

INSTANTIATE_TEST_SUITE_P(BothFlavours, Enter, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });
