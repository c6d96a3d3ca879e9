// lost_wake: a hand-written leaf future that returns Pending without
// storing the waker on one of its paths, so its task is never woken again
// (docs/debugging.md, "A lost wake").
//
//   lost_wake [--fixed] [--seconds N]
//
// A `sensor` task puts a reading in an Inbox every 50 ms, 12 in all; a
// `batcher` task takes them three at a time with Inbox::next_batch(3), a
// leaf future written by hand. Its poll stores the waker when the inbox is
// empty, but on the path "some readings, not yet three" it returns Pending
// thinking "the sensor will wake me": the sensor's push wakes only a stored
// waker, and the one stored earlier was used up by the previous wake. The
// batcher hangs after its first wake-up, forever; the program gives up
// after N seconds (default 3), says so and exits 1. With --fixed the poll
// stores the waker on every Pending path and all four batches arrive (exit 0).

#include <pollen.hpp>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "demo_args.hpp"

using namespace pollen;
using namespace std::chrono_literals;

namespace {

// A hand-made queue shared by the two tasks: readings, and the waker of the
// task waiting for them (at most one).
struct Inbox {
    std::mutex mu;
    std::deque<int> readings;
    std::optional<Waker> waiting;
    bool fixed = false;

    void push(int reading) {
        std::optional<Waker> to_wake;
        {
            std::lock_guard lock(mu);
            readings.push_back(reading);
            to_wake.swap(waiting);  // a waker wakes once: take it
        }
        if (to_wake) std::move(*to_wake).wake();
    }

    // The leaf future of `next_batch(n)`: ready with n readings.
    struct NextBatch {
        using Output = std::vector<int>;
        std::shared_ptr<Inbox> inbox;
        std::size_t n;

        Poll<std::vector<int>> poll(Context& cx) {
            std::lock_guard lock(inbox->mu);
            auto& q = inbox->readings;
            if (q.size() >= n) {
                std::vector<int> batch(q.begin(), q.begin() + std::ptrdiff_t(n));
                q.erase(q.begin(), q.begin() + std::ptrdiff_t(n));
                return pollen::ready(std::move(batch));
            }
            if (q.empty() || inbox->fixed) {
                inbox->waiting = cx.waker();  // woken by the next push
                return pending;
            }
            // The bug: some readings are there but not yet n. "More are
            // coming, the sensor will wake us" -- but the sensor wakes only
            // a stored waker, and none is stored now.
            return pending;
        }

        // What the task dump shows for this leaf.
        void describe(TraceVisitor& v) const {
            std::lock_guard lock(inbox->mu);
            v.waits_on("batch of " + std::to_string(n) + " from Inbox (" + std::to_string(inbox->readings.size()) +
                       " queued, " + (inbox->waiting ? "a waker stored" : "no waker stored") + ")");
        }
    };
};

Inbox::NextBatch next_batch(const std::shared_ptr<Inbox>& inbox, std::size_t n) { return {inbox, n}; }

// A reading every 50 ms, 12 in all.
struct Sensor : Async<Sensor, void> {
    std::shared_ptr<Inbox> inbox;
    int reading = 0;
    POLLEN_FRAME;
    explicit Sensor(std::shared_ptr<Inbox> i) : inbox(std::move(i)) {}

    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (reading = 1; reading <= 12; ++reading) {
            POLLEN_AWAIT(time::sleep(50ms));
            inbox->push(reading);
        }
        POLLEN_END;
    }
};

// Four batches of three, printed; its output is how many it got.
struct Batcher : Async<Batcher, int> {
    std::shared_ptr<Inbox> inbox;
    int batches = 0;
    std::vector<int> batch;
    POLLEN_FRAME;
    explicit Batcher(std::shared_ptr<Inbox> i) : inbox(std::move(i)) {}

    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (batches = 0; batches < 4;) {
            POLLEN_LET(batch, next_batch(inbox, 3));
            ++batches;
            std::printf("batcher: batch %d: %d %d %d\n", batches, batch[0], batch[1], batch[2]);
            std::fflush(stdout);
        }
        POLLEN_RETURN(batches);
        POLLEN_END;
    }
};

}  // namespace

int main(int argc, char** argv) {
    const auto [fixed, seconds] = samples::parse_demo_args(argc, argv, "lost_wake");
    std::printf("lost_wake%s: 12 readings, taken in batches of 3\n", fixed ? " --fixed" : "");
    std::fflush(stdout);
    auto inbox = std::make_shared<Inbox>();
    inbox->fixed = fixed;
    Runtime rt = Runtime::builder().worker_threads(2).build();
    auto batcher = rt.block_on(lazy([&] {
        task::Builder().name("sensor").spawn(Sensor(inbox));
        return task::Builder().name("batcher").spawn(Batcher(inbox));
    }));
    auto done = rt.block_on(time::timeout(std::chrono::seconds(seconds), std::move(batcher)));
    if (done.is_ok()) {
        std::printf("batcher: done, 4 batches\n");
        return 0;
    }
    std::size_t left;
    {
        std::lock_guard lock(inbox->mu);
        left = inbox->readings.size();
    }
    std::printf("batcher: stuck for %d s, %zu readings waiting in the inbox\n", seconds, left);
    return 1;
}
