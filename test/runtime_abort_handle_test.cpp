// AbortHandle (Tokio's): cancels a task without owning its output; made by
// JoinHandle::abort_handle() and returned by JoinSet::spawn. Both flavours.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include <pollen.hpp>

#include "support/forever_future.hpp"
#include <pollen/runtime/abort_handle.hpp>

using namespace pollen;

namespace {

Runtime make_runtime(bool multi_thread) {
    if (multi_thread) return Builder::new_multi_thread().worker_threads(2).build();
    return Builder::new_current_thread().build();
}

class AbortHandles : public ::testing::TestWithParam<bool> {};

using pollen::test::Forever;

}  // namespace

TEST_P(AbortHandles, AbortingThroughTheAbortHandleCancelsTheTask) {
    Runtime rt = make_runtime(GetParam());
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    auto h = rt.spawn(Forever(destroyed));
    AbortHandle a = h.abort_handle();
    EXPECT_FALSE(a.is_finished());
    a.abort();
    auto r = rt.block_on(std::move(h));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_cancelled());
    EXPECT_TRUE(a.is_finished());
    EXPECT_EQ(destroyed->load(), 1);
}

TEST_P(AbortHandles, ItOutlivesTheJoinHandleAndStillAborts) {
    Runtime rt = make_runtime(GetParam());
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    std::optional<AbortHandle> a;
    {
        auto h = rt.spawn(Forever(destroyed));
        a.emplace(h.abort_handle());
    }  // detached
    rt.block_on(yield_now());
    EXPECT_EQ(destroyed->load(), 0);
    a->abort();
    while (!a->is_finished()) rt.block_on(yield_now());
    EXPECT_EQ(destroyed->load(), 1);
}

TEST_P(AbortHandles, CopiesShareTheTaskAndItsId) {
    Runtime rt = make_runtime(GetParam());
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    auto h = rt.spawn(Forever(destroyed));
    AbortHandle a = h.abort_handle();
    AbortHandle b = a;
    AbortHandle c = std::move(b);
    EXPECT_EQ(a.id(), h.id());
    EXPECT_EQ(c.id(), h.id());
    std::thread other([c] { c.abort(); });  // any thread may abort
    other.join();
    EXPECT_TRUE(rt.block_on(std::move(h)).error().is_cancelled());
}

TEST_P(AbortHandles, AbortAfterCompletionKeepsTheOutput) {
    Runtime rt = make_runtime(GetParam());
    auto h = rt.spawn(future::ready(6));
    AbortHandle a = h.abort_handle();
    while (!a.is_finished()) rt.block_on(yield_now());
    a.abort();
    EXPECT_EQ(rt.block_on(std::move(h)).value(), 6);
}

TEST_P(AbortHandles, JoinSetSpawnReturnsOneThatAbortsThatTaskOnly) {
    Runtime rt = make_runtime(GetParam());
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    JoinSet<int> set;
    AbortHandle forever = set.spawn_on(Forever(destroyed), rt.handle());
    AbortHandle quick = set.spawn_on(future::ready(2), rt.handle());
    EXPECT_NE(forever.id(), quick.id());
    forever.abort();
    int cancelled = 0, finished = 0;
    while (auto r = rt.block_on(set.join_next_with_id())) {
        if (r->is_err()) {
            EXPECT_TRUE(r->error().is_cancelled());
            EXPECT_EQ(r->error().id(), forever.id());
            ++cancelled;
        } else {
            EXPECT_EQ(r->value().first, quick.id());
            EXPECT_EQ(r->value().second, 2);
            ++finished;
        }
    }
    EXPECT_EQ(cancelled, 1);
    EXPECT_EQ(finished, 1);
    EXPECT_EQ(destroyed->load(), 1);
}

INSTANTIATE_TEST_SUITE_P(BothFlavours, AbortHandles, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });
