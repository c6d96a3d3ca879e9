// JoinSet's Tokio API beyond join_next: join_next_with_id, try_join_next, shutdown, spawn_blocking,
// join_all (which throws where Tokio's panics). Both flavours.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <pollen.hpp>

#include "support/forever_future.hpp"

using namespace pollen;

namespace {

Runtime make_runtime(bool multi_thread) {
    if (multi_thread) return Builder::new_multi_thread().worker_threads(2).build();
    return Builder::new_current_thread().build();
}

class JoinSetApi : public ::testing::TestWithParam<bool> {};

using pollen::test::Forever;

struct Throws : FutureExt<Throws> {
    using Output = int;
    Poll<int> poll(Context&) { throw std::runtime_error("boom"); }
};

void wait_finished(Runtime& rt, const std::vector<AbortHandle>& tasks) {
    for (const AbortHandle& t : tasks)
        while (!t.is_finished()) rt.block_on(yield_now());
}

}  // namespace

TEST_P(JoinSetApi, JoinNextWithIdGivesEachTasksIdWithItsOutput) {
    Runtime rt = make_runtime(GetParam());
    JoinSet<int> set;
    std::vector<std::pair<std::uint64_t, int>> spawned;
    for (int i = 0; i < 20; ++i) spawned.emplace_back(set.spawn_on(future::ready(i), rt.handle()).id(), i);
    std::vector<std::pair<std::uint64_t, int>> got;
    while (auto r = rt.block_on(set.join_next_with_id())) {
        ASSERT_TRUE(r->is_ok());
        got.push_back(r->value());
    }
    std::sort(got.begin(), got.end());
    std::sort(spawned.begin(), spawned.end());
    EXPECT_EQ(got, spawned);
    EXPECT_TRUE(set.is_empty());
}

TEST_P(JoinSetApi, JoinNextWithIdOfVoidTasksGivesTheIds) {
    Runtime rt = make_runtime(GetParam());
    JoinSet<void> set;
    std::uint64_t id = set.spawn_on(future::lazy([] {}), rt.handle()).id();
    auto r = rt.block_on(set.join_next_with_id());
    ASSERT_TRUE(r && r->is_ok());
    EXPECT_EQ(r->value().first, id);
    EXPECT_FALSE(rt.block_on(set.join_next_with_id()).has_value());
}

TEST_P(JoinSetApi, JoinNextWithIdReportsAPanicWithTheTaskId) {
    Runtime rt = make_runtime(GetParam());
    JoinSet<int> set;
    std::uint64_t id = set.spawn_on(Throws{}, rt.handle()).id();
    auto r = rt.block_on(set.join_next_with_id());
    ASSERT_TRUE(r && r->is_err());
    EXPECT_TRUE(r->error().is_panic());
    EXPECT_EQ(r->error().id(), id);
}

TEST_P(JoinSetApi, TryJoinNextIsNulloptOnAnEmptySetAndWhileNothingFinished) {
    Runtime rt = make_runtime(GetParam());
    JoinSet<int> set;
    EXPECT_FALSE(set.try_join_next().has_value());
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    set.spawn_on(Forever(destroyed), rt.handle());
    rt.block_on(yield_now());
    EXPECT_FALSE(set.try_join_next().has_value());
    EXPECT_EQ(set.len(), 1u);
}

TEST_P(JoinSetApi, TryJoinNextTakesEveryFinishedResultWithoutWaiting) {
    Runtime rt = make_runtime(GetParam());
    JoinSet<int> set;
    std::vector<AbortHandle> tasks;
    for (int i = 0; i < 5; ++i) tasks.push_back(set.spawn_on(future::ready(i), rt.handle()));
    wait_finished(rt, tasks);
    std::vector<int> got;
    while (auto r = set.try_join_next()) got.push_back(r->value());  // here, outside the runtime
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_TRUE(set.is_empty());
}

TEST_P(JoinSetApi, TryJoinNextIsNotRefusedByAnExhaustedBudget) {
    Runtime rt = make_runtime(GetParam());
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    JoinSet<int> set;
    std::vector<AbortHandle> tasks{set.spawn_on(future::ready(5), rt.handle())};
    wait_finished(rt, tasks);
    int got = rt.block_on(future::poll_fn([&](Context& cx) -> Poll<int> {
        while (rx.poll_recv(cx).is_ready()) {
        }
        EXPECT_FALSE(coop::has_budget_remaining());
        auto r = set.try_join_next();
        return ready(r && r->is_ok() ? r->value() : -1);
    }));
    EXPECT_EQ(got, 5);
}

TEST_P(JoinSetApi, JoinAllGivesEveryOutput) {
    Runtime rt = make_runtime(GetParam());
    JoinSet<int> set;
    for (int i = 0; i < 50; ++i) set.spawn_on(future::ready(i), rt.handle());
    std::vector<int> all = rt.block_on(std::move(set).join_all());
    std::sort(all.begin(), all.end());
    ASSERT_EQ(all.size(), 50u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(all[i], i);
}

TEST_P(JoinSetApi, JoinAllOfAnEmptySetIsEmpty) {
    Runtime rt = make_runtime(GetParam());
    EXPECT_TRUE(rt.block_on(JoinSet<int>().join_all()).empty());
}

TEST_P(JoinSetApi, JoinAllOfVoidTasksCountsThem) {
    Runtime rt = make_runtime(GetParam());
    auto ran = std::make_shared<std::atomic<int>>(0);
    JoinSet<void> set;
    for (int i = 0; i < 7; ++i) set.spawn_on(future::lazy([ran] { ran->fetch_add(1); }), rt.handle());
    EXPECT_EQ(rt.block_on(std::move(set).join_all()).size(), 7u);
    EXPECT_EQ(ran->load(), 7);
}

TEST_P(JoinSetApi, JoinAllThrowsTheTasksExceptionAndAbortsTheRest) {
    Runtime rt = make_runtime(GetParam());
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    JoinSet<int> set;
    AbortHandle forever = set.spawn_on(Forever(destroyed), rt.handle());
    set.spawn_on(Throws{}, rt.handle());
    try {
        rt.block_on(std::move(set).join_all());
        ADD_FAILURE() << "join_all did not throw";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "boom");
    }
    while (!forever.is_finished()) rt.block_on(yield_now());
    EXPECT_EQ(destroyed->load(), 1);
}

TEST_P(JoinSetApi, AJoinAllThatMeetsACancelledTaskMakesItsOwnTaskPanic) {
    Runtime rt = make_runtime(GetParam());
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    auto r = rt.block_on(rt.spawn(future::lazy([destroyed] {
                                      JoinSet<int> set;
                                      set.spawn(future::ready(1));
                                      AbortHandle doomed = set.spawn(Forever(destroyed));
                                      doomed.abort();
                                      return std::move(set).join_all();
                                  }).then([](auto join_all) { return join_all; })));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    EXPECT_NE(r.error().what().find("was cancelled"), std::string::npos) << r.error().what();
    EXPECT_EQ(destroyed->load(), 1);
}

TEST_P(JoinSetApi, ShutdownAbortsEveryTaskAndWaitsUntilEachIsGone) {
    Runtime rt = make_runtime(GetParam());
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    JoinSet<int> set;
    for (int i = 0; i < 5; ++i) (void)set.spawn_on(Forever(destroyed), rt.handle());
    (void)set.spawn_on(future::ready(1), rt.handle());
    rt.block_on(set.shutdown());
    // Every future was destroyed before shutdown's future completed.
    EXPECT_EQ(destroyed->load(), 5);
    EXPECT_TRUE(set.is_empty());
    EXPECT_EQ(set.len(), 0u);
    // The set is usable again.
    (void)set.spawn_on(future::ready(2), rt.handle());
    auto r = rt.block_on(set.join_next());
    ASSERT_TRUE(r && r->is_ok());
    EXPECT_EQ(r->value(), 2);
}

TEST_P(JoinSetApi, SpawnBlockingAddsTheClosuresTaskToTheSet) {
    Runtime rt = make_runtime(GetParam());
    JoinSet<int> set;
    auto guard = rt.enter();
    for (int i = 0; i < 4; ++i) (void)set.spawn_blocking([i] { return i * 10; });
    (void)set.spawn_blocking_on([] { return 5; }, rt.handle());
    std::vector<int> got;
    while (auto r = rt.block_on(set.join_next())) {
        ASSERT_TRUE(r->is_ok());
        got.push_back(r->value());
    }
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, (std::vector<int>{0, 5, 10, 20, 30}));
}

INSTANTIATE_TEST_SUITE_P(BothFlavours, JoinSetApi, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });
