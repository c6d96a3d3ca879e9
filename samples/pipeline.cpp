// pipeline: stages joined by bounded mpsc channels, and the backpressure
// they give for free.
//
//     produce 1..N  --mpsc(cap)-->  square (1ms each)  --mpsc(cap)-->  slow sink (10ms each)
//
// Each stage is its own task (`tokio::spawn`). A bounded channel's
// `send(v)` is a future that waits while the channel is full (Tokio's
// `Sender::send(v).await`), so a fast producer is held back by the slowest
// stage downstream: at most `cap` items wait in each channel, plus one held
// by each stage. Memory stays flat however many items flow; the throughput
// is the slow sink's. Run the same pipeline with a huge capacity and the
// producer races ahead: every item sits in memory at once.
//
// The runtime's clock is paused (Tokio's `start_paused`): sleeps end by
// jumping the clock forward when every task waits, so the run is instant and
// the times and counts printed are the same on every run.

#include <pollen.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <ranges>

using namespace std::chrono_literals;
using pollen::time::Instant;

namespace {

constexpr int kItems = 100;

/// Counters the stages bump and a monitor task reads.
struct Stats {
    std::atomic<int> produced{0}, squared{0}, consumed{0};
    std::atomic<int> peak{0};  // the most items in flight at once
    int in_flight() const { return produced.load() - consumed.load(); }
};

long long ms_since(Instant start) {
    return static_cast<long long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Instant::now() - start).count());
}

/// Runs the three stages with channels of `cap` slots, printing the items in
/// flight every 100ms; returns the peak (counted at each item's creation).
int run_pipeline(pollen::Runtime& rt, std::size_t cap) {
    auto stats = std::make_shared<Stats>();
    // Everything is set up inside the runtime (lazy runs in block_on), so
    // that Instant::now() and the interval read its paused clock.
    rt.block_on(pollen::future::lazy([] { return Instant::now(); }).then([stats, cap](Instant start) {
        auto [tx1, rx1] = pollen::mpsc::channel<long>(cap);
        auto [tx2, rx2] = pollen::mpsc::channel<long>(cap);

        // Stage 1, the producer: as fast as the channel lets it. Rust:
        //     for n in 1..=N { tx1.send(n).await?; }
        // When for_each ends, its closure (and tx1 in it) is dropped: the
        // channel closes and stage 2's stream of rx1 ends after the last item.
        pollen::spawn(pollen::stream::iter(std::views::iota(1, kItems + 1))
                     .for_each([stats, tx = std::move(tx1)](int n) {
                         stats->produced++;
                         stats->peak = std::max(stats->peak.load(), stats->in_flight());
                         return tx.send(n).map([](auto) {});
                     }));

        // Stage 2: squares each number (1ms of "work") and passes it on.
        // A Receiver is a Stream, so the free function for_each takes it.
        pollen::spawn(pollen::stream::for_each(std::move(rx1), [stats, tx = std::move(tx2)](long n) {
            return pollen::time::sleep(1ms).then([stats, tx, n] {
                stats->squared++;
                return tx.send(n * n).map([](auto) {});
            });
    }));

    // Stage 3, the slow sink: 10ms per item.
    auto sink = pollen::spawn(pollen::stream::fold(std::move(rx2), 0L, [stats](long sum, long v) {
        return pollen::time::sleep(10ms).map([stats, sum, v] {
            stats->consumed++;
            return sum + v;
        });
    }));

    // A monitor: every 100ms, the counters, until the sink has had everything.
    auto monitor = pollen::time::interval_stream(100ms)
                       .skip(1)  // the first tick is immediate
                       .take_while([stats](const Instant&) { return stats->consumed.load() < kItems; })
                       .for_each([stats, start](Instant) {
                           std::printf("  t=%4lldms produced=%3d squared=%3d consumed=%3d in_flight=%3d\n",
                                       ms_since(start), stats->produced.load(), stats->squared.load(),
                                       stats->consumed.load(), stats->in_flight());
                       });
    // When the monitor is done, wait for the sink's total (its JoinHandle).
    return std::move(monitor).then([sink = std::move(sink), start]() mutable {
        return std::move(sink).map([start](pollen::Result<long, pollen::JoinError> sum) {
            double secs = std::chrono::duration<double>(Instant::now() - start).count();
            std::printf("  sum of squares = %ld, %d items in %.2fs: %.0f items/s (the sink's pace)\n",
                        sum.value(), kItems, secs, kItems / secs);
        });
    });
    }));
    return stats->peak.load();
}

}  // namespace

int main() {
    pollen::Runtime rt = pollen::Builder::new_current_thread().enable_all().start_paused(true).build();

    std::printf("bounded channels, capacity 4:\n");
    int bounded_peak = run_pipeline(rt, 4);
    // 4 + 4 in the channels, one in each stage's hands (producer, squarer, sink).
    std::printf("peak in flight = %d (bound: 2 channels x 4 + 3 held by the stages = 11)\n", bounded_peak);

    std::printf("\nsame pipeline, capacity 1000 (as good as unbounded):\n");
    int unbounded_peak = run_pipeline(rt, 1000);
    std::printf("peak in flight = %d: without backpressure the producer ran ahead of the sink\n",
                unbounded_peak);

    if (bounded_peak > 11) {
        std::printf("backpressure FAILED: %d items in flight\n", bounded_peak);
        return 1;
    }
    std::printf("\nbackpressure held memory flat: never more than %d of %d items in flight\n", bounded_peak,
                kItems);
    return 0;
}
