// The blocking_* calls (Mutex::blocking_lock, RwLock::blocking_read/write,
// mpsc blocking_send/blocking_recv): they park a plain thread, and refuse
// (std::logic_error) on a thread that drives tasks, where Tokio panics.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <pollen.hpp>

using namespace pollen;
using namespace std::chrono_literals;

TEST(BlockingLock, APlainThreadWaitsForTheGuardATaskHolds) {
    Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
    auto m = std::make_shared<Mutex<int>>(0);
    auto guard = rt.block_on(m->lock());
    std::atomic<bool> locked{false};
    std::thread t([&] {
        MutexGuard<int> g = m->blocking_lock();
        locked = true;
        *g += 1;
    });
    std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(locked.load());  // still waiting: the guard is held
    *guard = 10;
    { auto drop = std::move(guard); }
    t.join();
    EXPECT_TRUE(locked.load());
    EXPECT_EQ(*m->try_lock().value(), 11);
}

TEST(BlockingLock, ReadersShareAndAWriterWaitsForThem) {
    RwLock<int> lock(1);
    auto r1 = lock.blocking_read();
    auto r2 = lock.blocking_read();
    EXPECT_EQ(*r1 + *r2, 2);
    std::atomic<bool> wrote{false};
    std::thread writer([&] {
        auto w = lock.blocking_write();
        *w = 5;
        wrote = true;
    });
    std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(wrote.load());
    { auto a = std::move(r1); auto b = std::move(r2); }
    writer.join();
    EXPECT_EQ(*lock.blocking_read(), 5);
}

TEST(BlockingLock, RefusedInsideATaskAndInsideBlockOn) {
    auto m = std::make_shared<Mutex<int>>(0);
    auto rw = std::make_shared<RwLock<int>>(0);
    Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
    auto in_task = rt.spawn(future::lazy([m, rw] {
        int refused = 0;
        try { (void)m->blocking_lock(); } catch (const std::logic_error&) { ++refused; }
        try { (void)rw->blocking_read(); } catch (const std::logic_error&) { ++refused; }
        try { (void)rw->blocking_write(); } catch (const std::logic_error&) { ++refused; }
        return refused;
    }));
    EXPECT_EQ(rt.block_on(std::move(in_task)).value(), 3);
    bool refused_in_block_on = rt.block_on(future::lazy([m] {
        try {
            (void)m->blocking_lock();
        } catch (const std::logic_error&) {
            return true;
        }
        return false;
    }));
    EXPECT_TRUE(refused_in_block_on);
    // The lock was never taken by the refused calls.
    EXPECT_TRUE(m->try_lock().is_ok());
}

TEST(BlockingLock, AllowedOnTheBlockingPoolAndUnderEnter) {
    auto m = std::make_shared<Mutex<int>>(0);
    Runtime rt = Builder::new_multi_thread().worker_threads(1).build();
    auto h = rt.spawn_blocking([m] {
        *m->blocking_lock() += 1;
        return 1;
    });
    EXPECT_EQ(rt.block_on(std::move(h)).value(), 1);
    auto guard = rt.enter();  // a plain thread inside the runtime's context may block
    EXPECT_EQ(*m->blocking_lock(), 1);
}

TEST(BlockingChannel, BlockingRecvAndSendAreRefusedInATask) {
    Runtime rt = Builder::new_current_thread().build();
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    auto refused = rt.block_on(future::lazy([&] {
        int n = 0;
        try { (void)rx.blocking_recv(); } catch (const std::logic_error&) { ++n; }
        try { (void)tx.blocking_send(2); } catch (const std::logic_error&) { ++n; }
        return n;
    }));
    EXPECT_EQ(refused, 2);
    // Nothing was taken or lost: the value is still there.
    EXPECT_EQ(rx.blocking_recv(), std::optional<int>(1));
}
