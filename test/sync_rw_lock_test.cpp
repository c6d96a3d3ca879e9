// RwLock<T>: shared readers, exclusive writers, writer-first fairness,
// waiters destroyed mid-way, downgrade, and a multi-thread stress.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

namespace {

TEST(SyncRwLock, ReadersShareTheLock) {
    RwLock<int> l(3);
    auto r1 = l.read();
    auto r2 = l.read();
    auto p1 = poll_once(r1);
    auto p2 = poll_once(r2);
    ASSERT_TRUE(p1.is_ready());
    ASSERT_TRUE(p2.is_ready());
    EXPECT_EQ(*p1.value() + *p2.value(), 6);
    EXPECT_TRUE(l.try_read().is_ok());
    EXPECT_TRUE(l.try_write().is_err());
}

TEST(SyncRwLock, WriterWaitsForEveryReader) {
    CountingWaker cw;
    RwLock<int> l(0);
    auto r1 = l.try_read();
    auto r2 = l.try_read();
    auto w = l.write();
    EXPECT_TRUE(poll_once(w, cw).is_pending());
    r1 = Err(TryLockError{});
    EXPECT_EQ(cw.wakes_total(), 0u);
    r2 = Err(TryLockError{});
    EXPECT_EQ(cw.wakes_total(), 1u);
    auto p = poll_once(w, cw);
    ASSERT_TRUE(p.is_ready());
    *p.value() = 9;
    EXPECT_TRUE(l.try_read().is_err());
}

TEST(SyncRwLock, NewReadersQueueBehindAWaitingWriter) {
    CountingWaker cw_w, cw_r;
    RwLock<int> l(0);
    auto r1 = l.try_read();
    auto w = l.write();
    EXPECT_TRUE(poll_once(w, cw_w).is_pending());
    EXPECT_TRUE(l.try_read().is_err());
    auto r2 = l.read();
    EXPECT_TRUE(poll_once(r2, cw_r).is_pending());
    r1 = Err(TryLockError{});
    EXPECT_EQ(cw_w.wakes_total(), 1u);
    EXPECT_EQ(cw_r.wakes_total(), 0u);
    {
        auto pw = poll_once(w, cw_w);
        ASSERT_TRUE(pw.is_ready());
    }
    EXPECT_EQ(cw_r.wakes_total(), 1u);
    auto pr = poll_once(r2, cw_r);
    EXPECT_TRUE(pr.is_ready());
}

TEST(SyncRwLock, DestroyingAWaitingWriterLetsTheReadersBehindItIn) {
    CountingWaker cw;
    RwLock<int> l(0);
    auto r1 = l.try_read();
    auto r2 = l.read();
    auto r3 = l.read();
    {
        auto w = l.write();
        EXPECT_TRUE(poll_once(w, cw).is_pending());
        EXPECT_TRUE(poll_once(r2, cw).is_pending());
        EXPECT_TRUE(poll_once(r3, cw).is_pending());
    }
    // The writer's partial share goes to both readers behind it.
    auto p2 = poll_once(r2, cw);
    auto p3 = poll_once(r3, cw);
    EXPECT_TRUE(p2.is_ready());
    EXPECT_TRUE(p3.is_ready());
}

TEST(SyncRwLock, DowngradeKeepsWritersOutButLetsReadersIn) {
    CountingWaker cw_r, cw_w;
    RwLock<int> l(1);
    auto wg = l.try_write();
    ASSERT_TRUE(wg.is_ok());
    auto r = l.read();
    EXPECT_TRUE(poll_once(r, cw_r).is_pending());
    **wg = 2;
    RwLockReadGuard<int> g = std::move(wg.value()).downgrade();
    EXPECT_EQ(cw_r.wakes_total(), 1u);
    auto pr = poll_once(r, cw_r);
    ASSERT_TRUE(pr.is_ready());
    EXPECT_EQ(*pr.value(), 2);
    EXPECT_TRUE(l.try_write().is_err());
    EXPECT_EQ(*g, 2);
}

TEST(SyncRwLock, MaxReadersBoundsConcurrentReaders) {
    auto l = RwLock<int>::with_max_readers(0, 2);
    auto a = l.try_read();
    auto b = l.try_read();
    EXPECT_TRUE(a.is_ok());
    EXPECT_TRUE(b.is_ok());
    EXPECT_TRUE(l.try_read().is_err());
}

TEST(SyncRwLock, GetMutAndIntoInner) {
    RwLock<std::vector<int>> l;
    l.get_mut().push_back(1);
    EXPECT_EQ(std::move(l).into_inner().size(), 1u);
}

// ------------------------------------------------------------------ stress

struct Pair {
    long a = 0, b = 0;
};

/// Readers check `a == b`; writers bump both. Counts checked reads.
class RwUser : public FutureExt<RwUser> {
public:
    using Output = long;
    RwUser(std::shared_ptr<RwLock<Pair>> l, bool writer, int rounds) : l_(std::move(l)), writer_(writer), rounds_(rounds) {}
    RwUser(RwUser&& o) noexcept : l_(std::move(o.l_)), writer_(o.writer_), rounds_(o.rounds_) {}

    Poll<long> poll(Context& cx) {
        while (done_ < rounds_) {
            if (writer_) {
                if (!w_) w_.emplace(l_->write());
                auto p = w_->poll(cx);
                if (p.is_pending()) return pending;
                w_.reset();
                auto g = p.take();
                ++g->a;
                ++g->b;
            } else {
                if (!r_) r_.emplace(l_->read());
                auto p = r_->poll(cx);
                if (p.is_pending()) return pending;
                r_.reset();
                auto g = p.take();
                if (g->a != g->b) ++torn_;
            }
            ++done_;
        }
        return ready(torn_);
    }

private:
    std::shared_ptr<RwLock<Pair>> l_;
    bool writer_;
    int rounds_, done_ = 0;
    long torn_ = 0;
    std::optional<RwLockRead<Pair>> r_;
    std::optional<RwLockWrite<Pair>> w_;
};

TEST(SyncRwLock, StressReadersNeverSeeAHalfWrite) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    auto l = std::make_shared<RwLock<Pair>>();
    constexpr int kReaders = 6, kWriters = 2, kRounds = 12'500;  // 100,000 lock operations
    std::vector<JoinHandle<long>> hs;
    for (int i = 0; i < kReaders + kWriters; ++i) hs.push_back(rt.spawn(RwUser(l, i < kWriters, kRounds)));
    for (auto& h : hs) {
        auto r = rt.block_on(std::move(h));
        ASSERT_TRUE(r.is_ok());
        EXPECT_EQ(*r, 0);
    }
    auto g = l->try_read();
    ASSERT_TRUE(g.is_ok());
    EXPECT_EQ((*g)->a, long{kWriters} * kRounds);
}

}  // namespace
