// A task whose future throws from its destructor (Rust: panics on drop), when
// it is aborted, cancelled at shutdown, or destroyed after it finished: the
// exception is caught like one thrown by poll, the JoinHandle reports a panic,
// and with no JoinHandle the exception stays contained (Tokio's cancel_task
// and poll_future both drop the future under catch_unwind). Both flavours.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <pollen.hpp>

using namespace pollen;

namespace {

Runtime make_runtime(bool multi_thread) {
    if (multi_thread) return Builder::new_multi_thread().worker_threads(2).build();
    return Builder::new_current_thread().build();
}

class PanicOnDrop : public ::testing::TestWithParam<bool> {};

/// Pending until `ready_now` is set (then Ready with 1); its destructor
/// throws std::runtime_error("drop boom") unless it was moved from.
struct ThrowsOnDrop : FutureExt<ThrowsOnDrop> {
    using Output = int;
    std::shared_ptr<std::atomic<bool>> polled = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<std::atomic<bool>> ready_now = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<std::atomic<int>> destroyed = std::make_shared<std::atomic<int>>(0);
    std::optional<Waker> waker;
    bool armed = true;
    bool throws_from_poll = false;

    ThrowsOnDrop() = default;
    ThrowsOnDrop(ThrowsOnDrop&& o) noexcept
        : polled(o.polled), ready_now(o.ready_now), destroyed(o.destroyed), waker(std::move(o.waker)),
          armed(std::exchange(o.armed, false)), throws_from_poll(o.throws_from_poll) {}
    ~ThrowsOnDrop() noexcept(false) {
        if (!armed) return;
        destroyed->fetch_add(1);
        throw std::runtime_error("drop boom");
    }
    Poll<int> poll(Context& cx) {
        polled->store(true);
        if (throws_from_poll) throw std::runtime_error("poll boom");
        if (ready_now->load()) return ready(1);
        waker = cx.waker();
        return pending;
    }
};

bool message_has(const JoinError& e, const char* what) { return e.what().find(what) != std::string::npos; }

}  // namespace

TEST_P(PanicOnDrop, AbortingATaskWhoseDestructorThrowsReportsAPanic) {
    Runtime rt = make_runtime(GetParam());
    ThrowsOnDrop f;
    auto destroyed = f.destroyed;
    auto polled = f.polled;
    auto h = rt.spawn(std::move(f));
    while (!polled->load()) rt.block_on(yield_now());
    h.abort();
    auto r = rt.block_on(std::move(h));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    EXPECT_FALSE(r.error().is_cancelled());
    EXPECT_TRUE(message_has(r.error(), "drop boom")) << r.error().what();
    EXPECT_EQ(destroyed->load(), 1);
}

TEST_P(PanicOnDrop, AbortingOneWhoseHandleIsGoneKeepsThePanicContainedAndTheRuntimeGoesOn) {
    Runtime rt = make_runtime(GetParam());
    ThrowsOnDrop f;
    auto destroyed = f.destroyed;
    {
        auto h = rt.spawn(std::move(f));
        h.abort();
    }  // the handle is gone before the cancellation ran
    while (destroyed->load() == 0) rt.block_on(yield_now());
    EXPECT_EQ(rt.block_on(rt.spawn(future::ready(5))).value(), 5);
}

TEST_P(PanicOnDrop, ShutdownReportsAPanicForATaskWhoseDestructorThrows) {
    std::optional<JoinHandle<int>> h;
    std::shared_ptr<std::atomic<int>> destroyed;
    {
        Runtime rt = make_runtime(GetParam());
        ThrowsOnDrop f;
        destroyed = f.destroyed;
        auto polled = f.polled;
        h.emplace(rt.spawn(std::move(f)));
        while (!polled->load()) rt.block_on(yield_now());
    }  // the runtime is destroyed: shutdown cancels the task
    EXPECT_EQ(destroyed->load(), 1);
    ASSERT_TRUE(h->is_finished());
    Context cx(noop_waker_ref());
    auto p = h->poll(cx);
    ASSERT_TRUE(p.is_ready());
    auto r = p.take();
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    EXPECT_TRUE(message_has(r.error(), "drop boom"));
}

TEST_P(PanicOnDrop, ShutdownWithDetachedTasksWhoseDestructorsThrowCompletes) {
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    {
        Runtime rt = make_runtime(GetParam());
        for (int i = 0; i < 10; ++i) {
            ThrowsOnDrop f;
            f.destroyed = destroyed;
            rt.spawn(std::move(f));  // detached
        }
        rt.block_on(yield_now());
    }
    EXPECT_EQ(destroyed->load(), 10);
}

TEST_P(PanicOnDrop, ATaskSpawnedAfterShutdownWhoseDestructorThrowsIsReportedAsAPanic) {
    std::optional<Handle> handle;
    {
        Runtime rt = make_runtime(GetParam());
        handle = rt.handle();
    }
    auto h = handle->spawn(ThrowsOnDrop{});
    ASSERT_TRUE(h.is_finished());
    Context cx(noop_waker_ref());
    auto p = h.poll(cx);
    ASSERT_TRUE(p.is_ready());
    auto r = p.take();
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
}

TEST_P(PanicOnDrop, AFutureThatIsReadyButThrowsWhenDestroyedReportsAPanic) {
    Runtime rt = make_runtime(GetParam());
    ThrowsOnDrop f;
    *f.ready_now = true;
    auto r = rt.block_on(rt.spawn(std::move(f)));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    EXPECT_TRUE(message_has(r.error(), "drop boom"));
}

TEST_P(PanicOnDrop, WhenPollAndTheDestructorBothThrowThePollsExceptionIsReported) {
    Runtime rt = make_runtime(GetParam());
    ThrowsOnDrop f;
    f.throws_from_poll = true;
    auto destroyed = f.destroyed;
    auto r = rt.block_on(rt.spawn(std::move(f)));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_panic());
    EXPECT_TRUE(message_has(r.error(), "poll boom")) << r.error().what();
    EXPECT_EQ(destroyed->load(), 1);
}

INSTANTIATE_TEST_SUITE_P(BothFlavours, PanicOnDrop, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });
