#pragma once
// samples::Heartbeat: the canary of the debugging samples (blocking_call,
// starved_task). A task that wants to run every `period`; each tick
// measures how late it was polled after its deadline. A healthy runtime polls
// it within a millisecond or so; a late tick means its worker was busy with
// something else (a blocking call, a task that never yields), which is what
// those samples show. Ticks missed while it waited are skipped (Tokio's
// MissedTickBehavior::Skip), so one long stall prints one line.
//
// Prints `heartbeat: tick N came M ms late` for a tick later than 20 ms; the
// figures stay in the shared HeartbeatStats for the program's summary.
// Destroying it mid-way just drops its timer. Polled by one thread at a time,
// like any future; the stats are atomics read by main's thread.

#include <pollen.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>

namespace samples {

struct HeartbeatStats {
    std::atomic<std::uint64_t> ticks{0};
    std::atomic<std::int64_t> worst_late_ms{0};
    void print() const {
        std::printf("heartbeat: %llu ticks, the worst %lld ms late\n", (unsigned long long)ticks.load(),
                    (long long)worst_late_ms.load());
    }
};

struct Heartbeat : pollen::Async<Heartbeat, void> {
    std::chrono::milliseconds period;
    std::shared_ptr<HeartbeatStats> stats;
    pollen::time::Instant next;
    POLLEN_FRAME;
    Heartbeat(std::chrono::milliseconds p, std::shared_ptr<HeartbeatStats> s) : period(p), stats(std::move(s)) {}

    pollen::Poll<void> poll(pollen::Context& cx) {
        POLLEN_BEGIN(cx);
        next = pollen::time::Instant::now() + period;
        for (;;) {
            POLLEN_AWAIT(pollen::time::sleep_until(next));
            record(pollen::time::Instant::now());
        }
        POLLEN_END;
    }

    void record(pollen::time::Instant now) {
        auto late = std::chrono::duration_cast<std::chrono::milliseconds>(now.duration_since(next)).count();
        std::uint64_t n = ++stats->ticks;
        if (late > stats->worst_late_ms.load()) stats->worst_late_ms.store(late);
        if (late > 20) std::printf("heartbeat: tick %llu came %lld ms late\n", (unsigned long long)n, (long long)late);
        std::fflush(stdout);
        while (next <= now) next = next + period;
    }
};

}  // namespace samples
