// Every stream-like type in pollen has StreamExt's methods: the mpsc
// receivers and signal listeners (which gained them), and the others that
// already had them (IntervalStream, fs::ReadDir, io::Lines), checked here in
// one list so that a new stream type that forgets the base shows up.
#include <gtest/gtest.h>

#include <csignal>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/async_move.hpp>
#include <pollen/core/drop.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
using pollen::test::CountingWaker;
using pollen::test::poll_once;

namespace {

template <class S>
constexpr bool has_stream_ext = std::is_base_of_v<StreamExt<S>, S>;

static_assert(has_stream_ext<mpsc::Receiver<int>>);
static_assert(has_stream_ext<mpsc::UnboundedReceiver<int>>);
static_assert(has_stream_ext<signal::Signal>);
static_assert(has_stream_ext<time::IntervalStream>);
static_assert(has_stream_ext<fs::ReadDir>);
static_assert(has_stream_ext<io::Lines<io::BufReader<io::DuplexStream>>>);

// The StreamExt base is empty and takes no room.
static_assert(sizeof(mpsc::Receiver<int>) == sizeof(void*));
static_assert(sizeof(mpsc::UnboundedReceiver<int>) == sizeof(void*));

}  // namespace

// ------------------------------------------------------------------ mpsc::Receiver

TEST(StreamExtMpsc, FoldConsumesTheReceiverUntilTheLastSenderIsGone) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::channel<int>(8);
    auto sum = std::move(rx).fold(0, [](int acc, int v) { return acc + v; });
    ASSERT_TRUE(tx.try_send(1).is_ok());
    ASSERT_TRUE(tx.try_send(2).is_ok());
    EXPECT_TRUE(poll_once(sum, cw).is_pending());
    ASSERT_TRUE(tx.try_send(3).is_ok());
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_TRUE(poll_once(sum, cw).is_pending());
    tx = {};
    EXPECT_EQ(cw.wakes_total(), 2u);
    auto p = poll_once(sum, cw);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), 6);
}

TEST(StreamExtMpsc, NextBorrowsTheReceiverAndGivesEachValueThenTheEnd) {
    auto [tx, rx] = mpsc::channel<std::string>(2);
    ASSERT_TRUE(tx.try_send("a").is_ok());
    {
        auto n = rx.next();
        EXPECT_EQ(poll_once(n).value(), std::optional<std::string>("a"));
    }
    auto n = rx.next();
    EXPECT_TRUE(poll_once(n).is_pending());
    pollen::drop(std::move(tx));
    EXPECT_EQ(poll_once(n).value(), std::nullopt);
}

TEST(StreamExtMpsc, MapFilterCollectRunOverTheReceiver) {
    auto [tx, rx] = mpsc::channel<int>(16);
    for (int i = 1; i <= 6; ++i) ASSERT_TRUE(tx.try_send(i).is_ok());
    tx = {};
    auto all = std::move(rx)
                   .filter([](const int& v) { return v % 2 == 0; })
                   .map([](int v) { return std::to_string(v * 10); })
                   .collect();
    auto p = poll_once(all);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), (std::vector<std::string>{"20", "40", "60"}));
}

TEST(StreamExtMpsc, TakeDropsTheReceiverAfterTheLastItemWhichClosesTheChannel) {
    auto [tx, rx] = mpsc::channel<int>(4);
    ASSERT_TRUE(tx.try_send(1).is_ok());
    ASSERT_TRUE(tx.try_send(2).is_ok());
    auto first = std::move(rx).take(1).collect();
    EXPECT_EQ(poll_once(first).value(), std::vector<int>{1});
    EXPECT_TRUE(tx.is_closed());  // take destroyed the receiver right after its item
}

TEST(StreamExtMpsc, FoldOnARuntimeReceivesFromSpawnedProducers) {
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    auto [tx, rx] = mpsc::channel<int>(4);
    for (int p = 0; p < 3; ++p) {
        // Each producer owns a Sender; the send futures borrow it.
        (void)rt.spawn(async_move(mpsc::Sender<int>(tx), [](mpsc::Sender<int>& t) {
            return loop_fn(1, [&t](int k) {
                return t.send(k).map([k](auto r) -> LoopStep<int, void> {
                    EXPECT_TRUE(r.is_ok());
                    if (k == 100) return Break{};
                    return Continue{k + 1};
                });
            });
        }));
    }
    tx = {};
    long total = rt.block_on(std::move(rx).fold(0L, [](long acc, int v) { return acc + v; }));
    EXPECT_EQ(total, 3L * (100 * 101 / 2));
}

// ------------------------------------------------------------------ mpsc::UnboundedReceiver

TEST(StreamExtMpscUnbounded, FilterMapEnumerateCountOverTheReceiver) {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(tx.send(i).is_ok());
    pollen::drop(std::move(tx));
    auto n = std::move(rx)
                 .filter_map([](int v) { return v >= 5 ? std::optional<int>(v) : std::nullopt; })
                 .enumerate()
                 .count();
    EXPECT_EQ(poll_once(n).value(), 5u);
}

TEST(StreamExtMpscUnbounded, NextWaitsForASend) {
    CountingWaker cw;
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    auto n = rx.next();
    EXPECT_TRUE(poll_once(n, cw).is_pending());
    ASSERT_TRUE(tx.send(4).is_ok());
    EXPECT_EQ(cw.wakes_total(), 1u);
    EXPECT_EQ(poll_once(n).value(), std::optional<int>(4));
}

// ------------------------------------------------------------------ signal::Signal

TEST(StreamExtSignal, NextAndMapGiveTheSignalNumberOfADelivery) {
    Runtime rt = Builder::new_current_thread().build();
    auto made = signal::signal(SIGUSR1);
    ASSERT_TRUE(made.is_ok());
    signal::Signal sig = std::move(made).unwrap();

    ASSERT_EQ(::raise(SIGUSR1), 0);
    EXPECT_EQ(rt.block_on(sig.next()), std::optional<int>(SIGUSR1));

    ASSERT_EQ(::raise(SIGUSR1), 0);
    auto names = rt.block_on(std::move(sig)
                                 .map([](int n) { return n == SIGUSR1 ? std::string("usr1") : std::string("?"); })
                                 .take(1)
                                 .collect());
    EXPECT_EQ(names, std::vector<std::string>{"usr1"});
}
