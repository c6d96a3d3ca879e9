// starved_task: a task that never yields starves the others on its
// worker (docs/debugging.md, "A starved task").
//
//   starved_task [--fixed] [--seconds N]
//
// A runtime with one worker runs three named tasks: `heartbeat` wants to
// run every 100 ms (samples/heartbeat.hpp); `ingest` sends a burst of 5,000
// log lines into a channel every 2 s; `indexer` receives them and spends
// about 100 us of CPU on each. During a burst every recv is ready at once,
// and the indexer runs under `unconstrained` (someone wanted it faster), so
// the channel's cooperative budget, which makes a task yield after 128
// ready operations, is off: the indexer's poll returns only when the burst
// is drained, half a second later or more, and the heartbeat waits behind it.
//
// With --fixed the indexer runs under the budget and yields after each line
// (yield_now), a turn for the others every 100 us of work. The budget alone
// would not be enough here: it yields every 128 lines (13 ms), and a busy
// worker looks at its timers only every 61 polls, so the heartbeat's timer
// could still be seen most of a second late. A yield_now, by contrast, waits
// for the worker's next driver turn, which fires the heartbeat's timer. Runs N seconds (default 3),
// then prints a summary.

#include <pollen.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "demo_args.hpp"
#include "heartbeat.hpp"

using namespace pollen;
using namespace std::chrono_literals;

namespace {

constexpr int kBurst = 5000;

// Indexing a line: about 100 us of CPU.
void index_line(int line) {
    auto until = std::chrono::steady_clock::now() + 100us;
    volatile unsigned h = unsigned(line);
    while (std::chrono::steady_clock::now() < until) h = h * 31 + 7;
}

// A burst of lines, then a pause, forever.
struct Ingest : Async<Ingest, void> {
    mpsc::UnboundedSender<int> tx;
    POLLEN_FRAME;
    explicit Ingest(mpsc::UnboundedSender<int> t) : tx(std::move(t)) {}

    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (;;) {
            for (int i = 0; i < kBurst; ++i) (void)tx.send(i);
            POLLEN_AWAIT(time::sleep(2s));
        }
        POLLEN_END;
    }
};

// Indexes every line until the channel closes.
struct Indexer : Async<Indexer, void> {
    mpsc::UnboundedReceiver<int> rx;
    bool yield_each_line;
    std::optional<int> line;
    POLLEN_FRAME;
    Indexer(mpsc::UnboundedReceiver<int> r, bool y) : rx(std::move(r)), yield_each_line(y) {}

    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (;;) {
            POLLEN_LET(line, rx.recv());  // ready at once while a burst lasts
            if (!line) POLLEN_RETURN();
            index_line(*line);
            if (yield_each_line) POLLEN_AWAIT(yield_now());  // the fix: a turn for the others
        }
        POLLEN_END;
    }
};

}  // namespace

int main(int argc, char** argv) {
    const auto [fixed, seconds] = samples::parse_demo_args(argc, argv, "starved_task");
    std::printf("starved_task%s: heartbeat every 100 ms, bursts of %d lines to index, for %d s\n",
                fixed ? " --fixed" : "", kBurst, seconds);
    std::fflush(stdout);
    auto stats = std::make_shared<samples::HeartbeatStats>();
    Runtime rt = Runtime::builder().worker_threads(1).build();
    rt.block_on(lazy([&] {
        auto [tx, rx] = mpsc::unbounded_channel<int>();
        task::Builder().name("heartbeat").spawn(samples::Heartbeat(100ms, stats));
        if (fixed)
            task::Builder().name("indexer").spawn(Indexer(std::move(rx), true));
        else
            task::Builder().name("indexer").spawn(unconstrained(Indexer(std::move(rx), false)));  // the bug
        task::Builder().name("ingest").spawn(Ingest(std::move(tx)));
    }));
    rt.block_on(time::sleep(std::chrono::seconds(seconds)));
    stats->print();
    return 0;
}
