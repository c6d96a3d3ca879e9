// Cancellation at every point, sync layer: each primitive's future destroyed
// after every poll and every step of the world (another holder letting go,
// a notification...), then the primitive's state is checked: every permit
// back, the lock free, no notification lost, no arrival taken back.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>

#include "support/gates.hpp"

using namespace pollen;
using pollen::testing::cancel_at_every_point;

namespace {

/// Polls a fresh future once with the no-op waker; true when Ready.
template <class F>
bool ready_now(F fut) {
    Context cx(noop_waker_ref());
    return fut.poll(cx).is_ready();
}

}  // namespace

TEST(CancelEveryPointSync, SemaphoreAcquireGivesEveryPermitBack) {
    Semaphore sem(1);
    std::optional<SemaphorePermit> held;
    auto r = cancel_at_every_point([&] { return sem.acquire(); })
                 .setup([&] { held.emplace(sem.try_acquire().unwrap()); })
                 .step([&] { held.reset(); })
                 .on_output([&](Result<SemaphorePermit, AcquireError>& p) { return p.is_ok() && sem.available_permits() == 0; })
                 .invariant("every permit back", [&] {
                     held.reset();
                     return sem.available_permits() == 1;
                 })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);  // never polled; waiting; the permit handed over but not yet taken
}

TEST(CancelEveryPointSync, SemaphoreAcquireManyGivesBackPartialAssignments) {
    Semaphore sem(3);
    std::vector<SemaphorePermit> held;
    auto r = cancel_at_every_point([&] { return sem.acquire_many(3); })
                 .setup([&] {
                     for (int i = 0; i < 3; ++i) held.push_back(sem.try_acquire().unwrap());
                 })
                 .step([&] { held.pop_back(); })  // one permit at a time reaches the waiter
                 .invariant("every permit back", [&] {
                     held.clear();
                     return sem.available_permits() == 3;
                 })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 7u);
}

TEST(CancelEveryPointSync, MutexLockLeavesTheMutexUnlocked) {
    Mutex<int> m(0);
    std::optional<MutexGuard<int>> held;
    auto r = cancel_at_every_point([&] { return m.lock(); })
                 .setup([&] { held.emplace(m.try_lock().unwrap()); })
                 .step([&] { held.reset(); })
                 .on_output([&](MutexGuard<int>& g) {
                     ++*g;
                     return m.try_lock().is_err();
                 })
                 .invariant("the mutex is unlocked", [&] {
                     held.reset();
                     return m.try_lock().is_ok();
                 })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
    EXPECT_EQ(*m.try_lock().unwrap(), 1);  // only the completing instance got the lock
}

TEST(CancelEveryPointSync, RwLockReadAndWriteLeaveTheLockFree) {
    RwLock<int> l(0);
    std::optional<RwLockWriteGuard<int>> writer;
    auto read = cancel_at_every_point([&] { return l.read(); })
                    .setup([&] { writer.emplace(l.try_write().unwrap()); })
                    .step([&] { writer.reset(); })
                    .invariant("no reader or writer left", [&] {
                        writer.reset();
                        return l.try_write().is_ok();
                    })
                    .run();
    EXPECT_TRUE(read.ok()) << read;
    std::vector<RwLockReadGuard<int>> readers;
    auto write = cancel_at_every_point([&] { return l.write(); })
                     .setup([&] {
                         readers.push_back(l.try_read().unwrap());
                         readers.push_back(l.try_read().unwrap());
                     })
                     .step([&] { readers.pop_back(); })
                     .invariant("no reader or writer left", [&] {
                         readers.clear();
                         return l.try_write().is_ok();
                     })
                     .run();
    EXPECT_TRUE(write.ok()) << write;
    EXPECT_EQ(write.points, 5u);
}

TEST(CancelEveryPointSync, NotifiedDestroyedAfterBeingPickedPassesTheNotificationOn) {
    std::optional<Notify> notify;
    bool sent = false, consumed = false;
    auto r = cancel_at_every_point([&] { return notify->notified(); })
                 .setup([&] {
                     notify.emplace();
                     sent = consumed = false;
                 })
                 .step([&] {
                     notify->notify_one();
                     sent = true;
                 })
                 .on_output([&] { return consumed = true; })
                 .invariant("a notification sent and not consumed is still there",
                            [&] { return ready_now(notify->notified()) == (sent && !consumed); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointSync, NotifiedWithNotifyWaiters) {
    std::optional<Notify> notify;
    auto r = cancel_at_every_point([&] { return notify->notified(); })
                 .setup([&] { notify.emplace(); })
                 .step([&] { notify->notify_waiters(); })
                 .invariant("notify_waiters stores nothing", [&] { return !ready_now(notify->notified()); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointSync, BarrierWaitKeepsAnArrivalWhenDestroyed) {
    std::optional<Barrier> barrier;
    std::optional<BarrierWait> other;  // the second party, arriving in the step
    bool other_arrived = false;
    auto r = cancel_at_every_point([&] { return barrier->wait(); })
                 .setup([&] {
                     other.reset();
                     barrier.emplace(2);
                     other.emplace(barrier->wait());
                     other_arrived = false;
                 })
                 .step([&] {
                     Context cx(noop_waker_ref());
                     other_arrived = true;
                     // The instance arrived first (every step follows a poll): this completes the round.
                     EXPECT_TRUE(other->poll(cx).is_ready());
                 })
                 .invariant("the barrier's other party was not left waiting", [&] {
                     if (!other_arrived) return true;
                     Context cx(noop_waker_ref());
                     return other->poll(cx).is_ready();
                 })
                 .teardown([&] { other.reset(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

TEST(CancelEveryPointSync, OnceCellGetOrInitGivesThePermitBackWhenItsInitIsDestroyed) {
    test::Gates gates;
    std::optional<OnceCell<int>> cell;
    int inits = 0;
    auto r = cancel_at_every_point([&] {
                 return cell->get_or_init([&] {
                     ++inits;
                     return gates.future(1, 42);
                 });
             })
                 .setup([&] {
                     gates.reset();
                     cell.emplace();
                 })
                 .step([&] { gates.open_next(); })
                 .on_output([](auto& v) { return v.get() == 42; })
                 .invariant("the init future is gone", [&] { return gates.alive() == 0; })
                 .invariant("the cell is set, or free for another initialiser", [&] {
                     if (cell->get()) return *cell->get() == 42;
                     return cell->set(7).is_ok();
                 })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 5u);
    EXPECT_EQ(inits, 5);  // every polled instance ran its own fn
}

TEST(CancelEveryPointSync, CancellationTokenCancelled) {
    std::optional<CancellationToken> token;
    std::optional<CancellationToken> child;
    auto r = cancel_at_every_point([&] { return child->cancelled(); })
                 .setup([&] {
                     child.reset();
                     token.emplace();
                     child.emplace(token->child_token());
                 })
                 .step([&] { token->cancel(); })
                 .invariant("cancellation reached the child", [&] { return !token->is_cancelled() || child->is_cancelled(); })
                 .teardown([&] {
                     child.reset();
                     token.reset();
                 })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}

// run_until_cancelled cut at every point while the token is cancelled: the
// inner future dies with it (or at the cancellation), the token's waiter is
// unlinked, and the completing instance gives nullopt.
TEST(CancelEveryPointSync, RunUntilCancelledCancelledMidWay) {
    test::Gates gates;
    std::optional<CancellationToken> token;
    auto r = cancel_at_every_point([&] { return token->run_until_cancelled(gates.future(0, 42)); })
                 .setup([&] {
                     gates.reset();
                     token.emplace();
                 })
                 .step([&] { token->cancel(); })
                 .on_output([&](std::optional<int>& out) { return !out && gates.alive() == 0; })
                 .invariant("the inner future is gone", [&] { return gates.alive() == 0; })
                 .teardown([&] { token.reset(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);  // never polled; waiting; cancelled but not yet polled
}

// The same, the inner future finishing instead: some(output), and the
// token's waiter unlinked at every cut.
TEST(CancelEveryPointSync, RunUntilCancelledFinishingMidWay) {
    test::Gates gates;
    std::optional<CancellationToken> token;
    auto r = cancel_at_every_point([&] { return token->run_until_cancelled(gates.future(0, 42)); })
                 .setup([&] {
                     gates.reset();
                     token.emplace();
                 })
                 .step([&] { gates.open_next(); })
                 .on_output([&](std::optional<int>& out) { return out == 42 && gates.alive() == 0; })
                 .invariant("the inner future is gone", [&] { return gates.alive() == 0; })
                 .invariant("the token was not cancelled", [&] { return !token->is_cancelled(); })
                 .teardown([&] { token.reset(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.points, 3u);
}
