// OnceCell: set/get, one initialiser at a time, take-over when the running
// init future is destroyed or fails, waker balance, and a stress.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

namespace {

/// Pending until `open` is set, then Ready(value); wakes through `waker`.
struct Gate {
    bool open = false;
    std::optional<Waker> waker;
    void release() {
        open = true;
        if (waker) std::move(*waker).wake();
        waker.reset();
    }
};

struct GatedValue : FutureExt<GatedValue> {
    using Output = int;
    Gate* gate;
    int value;
    Poll<int> poll(Context& cx) {
        if (gate->open) return ready(value);
        gate->waker = cx.waker();
        return pending;
    }
};

TEST(SyncOnceCell, SetOnceThenGet) {
    OnceCell<std::string> cell;
    EXPECT_EQ(cell.get(), nullptr);
    EXPECT_TRUE(cell.set("a").is_ok());
    ASSERT_NE(cell.get(), nullptr);
    EXPECT_EQ(*cell.get(), "a");
    auto again = cell.set("b");
    ASSERT_TRUE(again.is_err());
    EXPECT_TRUE(again.error().is_already_init_err());
    EXPECT_EQ(again.error().value, "b");
    EXPECT_EQ(*std::move(cell).into_inner(), "a");
}

TEST(SyncOnceCell, GetOrInitRunsTheInitialiserOnce) {
    OnceCell<int> cell;
    int calls = 0;
    auto make = [&] { return future::lazy([&] { return ++calls, 7; }); };
    auto a = cell.get_or_init(make);
    auto pa = poll_once(a);
    ASSERT_TRUE(pa.is_ready());
    EXPECT_EQ(pa.value().get(), 7);
    auto b = cell.get_or_init(make);
    auto pb = poll_once(b);
    ASSERT_TRUE(pb.is_ready());
    EXPECT_EQ(pb.value().get(), 7);
    EXPECT_EQ(calls, 1);
}

TEST(SyncOnceCell, ConcurrentInitialisersWaitForTheRunningOne) {
    CountingWaker cw1, cw2;
    Gate gate;
    OnceCell<int> cell;
    bool second_called = false;
    {
        auto a = cell.get_or_init([&] { return GatedValue{{}, &gate, 1}; });
        auto b = cell.get_or_init([&] {
            second_called = true;
            return GatedValue{{}, &gate, 2};
        });
        EXPECT_TRUE(poll_once(a, cw1).is_pending());
        EXPECT_TRUE(poll_once(b, cw2).is_pending());
        auto s = cell.set(3);
        ASSERT_TRUE(s.is_err());
        EXPECT_TRUE(s.error().is_initializing_err());
        gate.release();
        auto pa = poll_once(a, cw1);
        ASSERT_TRUE(pa.is_ready());
        EXPECT_EQ(pa.value().get(), 1);
        EXPECT_EQ(cw2.wakes_total(), 1u);  // the store woke the waiter
        auto pb = poll_once(b, cw2);
        ASSERT_TRUE(pb.is_ready());
        EXPECT_EQ(pb.value().get(), 1);
    }
    EXPECT_FALSE(second_called);
    EXPECT_TRUE(cw1.balanced());
    EXPECT_TRUE(cw2.balanced());
}

TEST(SyncOnceCell, DestroyingTheRunningInitialiserLetsTheNextOneRunItsOwn) {
    CountingWaker cw;
    Gate gate;
    OnceCell<int> cell;
    auto b = cell.get_or_init([] { return future::lazy([] { return 2; }); });
    {
        auto a = cell.get_or_init([&] { return GatedValue{{}, &gate, 1}; });
        EXPECT_TRUE(poll_once(a, cw).is_pending());
        EXPECT_TRUE(poll_once(b, cw).is_pending());
    }
    auto pb = poll_once(b, cw);
    ASSERT_TRUE(pb.is_ready());
    EXPECT_EQ(pb.value().get(), 2);
    EXPECT_EQ(*cell.get(), 2);
}

TEST(SyncOnceCell, AFailedTryInitLetsTheNextOneTry) {
    OnceCell<int> cell;
    auto fail = cell.get_or_try_init([] { return future::lazy([] { return Result<int, std::string>(Err(std::string("no"))); }); });
    auto p = poll_once(fail);
    ASSERT_TRUE(p.is_ready());
    ASSERT_TRUE(p.value().is_err());
    EXPECT_EQ(p.value().error(), "no");
    EXPECT_EQ(cell.get(), nullptr);
    auto ok = cell.get_or_try_init([] { return future::lazy([] { return Result<int, std::string>(Ok(5)); }); });
    auto q = poll_once(ok);
    ASSERT_TRUE(q.is_ready());
    ASSERT_TRUE(q.value().is_ok());
    EXPECT_EQ(q.value().value().get(), 5);
}

TEST(SyncOnceCell, TheValueIsDestroyedWithTheCell) {
    auto counter = std::make_shared<int>(0);
    std::weak_ptr<int> weak = counter;
    {
        OnceCell<std::shared_ptr<int>> cell(std::move(counter));
        EXPECT_TRUE(cell.initialized());
    }
    EXPECT_TRUE(weak.expired());
}

// ------------------------------------------------------------------ stress

/// For each cell in turn: get_or_init with an init that yields once.
class InitAll : public FutureExt<InitAll> {
    struct Init : FutureExt<Init> {
        using Output = int;
        std::atomic<long>* calls;
        int value;
        bool yielded = false;
        Poll<int> poll(Context& cx) {
            if (!yielded) {
                yielded = true;
                cx.waker().wake_by_ref();
                return pending;
            }
            calls->fetch_add(1);
            return ready(value);
        }
    };
    struct MakeInit {
        std::atomic<long>* calls;
        int value;
        Init operator()() const { return Init{{}, calls, value}; }
    };

public:
    using Output = long;  // the sum of the values read
    InitAll(std::shared_ptr<std::vector<OnceCell<int>>> cells, std::atomic<long>* calls)
        : cells_(std::move(cells)), calls_(calls) {}
    InitAll(InitAll&& o) noexcept : cells_(std::move(o.cells_)), calls_(o.calls_) {}
    Poll<long> poll(Context& cx) {
        while (i_ < cells_->size()) {
            if (!f_) f_.emplace((*cells_)[i_].get_or_init(MakeInit{calls_, static_cast<int>(i_)}));
            auto p = f_->poll(cx);
            if (p.is_pending()) return pending;
            sum_ += p.value().get();
            f_.reset();
            ++i_;
        }
        return ready(sum_);
    }

private:
    std::shared_ptr<std::vector<OnceCell<int>>> cells_;
    std::atomic<long>* calls_;
    std::size_t i_ = 0;
    long sum_ = 0;
    std::optional<GetOrInit<int, MakeInit>> f_;
};

TEST(SyncOnceCell, StressEveryCellIsInitialisedExactlyOnce) {
    Runtime rt = Builder::new_multi_thread().worker_threads(4).build();
    constexpr int kTasks = 4, kCells = 25'000;  // 100,000 get_or_init
    auto cells = std::make_shared<std::vector<OnceCell<int>>>(kCells);
    std::atomic<long> calls{0};
    std::vector<JoinHandle<long>> hs;
    for (int i = 0; i < kTasks; ++i) hs.push_back(rt.spawn(InitAll(cells, &calls)));
    const long expected = long{kCells} * (kCells - 1) / 2;
    for (auto& h : hs) {
        auto r = rt.block_on(std::move(h));
        ASSERT_TRUE(r.is_ok());
        EXPECT_EQ(*r, expected);
    }
    EXPECT_EQ(calls.load(), kCells);
}

}  // namespace
