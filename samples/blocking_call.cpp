// blocking_call: a task that makes a blocking call inside its poll
// (docs/debugging.md, "A blocking call in a task").
//
//   blocking_call [--fixed] [--seconds N]
//
// A runtime with one worker runs two named tasks: `heartbeat` wants to run
// every 100 ms (samples/heartbeat.hpp), `handler` answers a request every
// 200 ms by asking a slow legacy client, a synchronous call that takes
// 300 ms. Called straight from the task, it holds the worker for those
// 300 ms: nothing else on that worker runs, so the heartbeat comes up to
// 300 ms late. With --fixed the call runs on the blocking pool
// (spawn_blocking) and the handler awaits its JoinHandle, so the worker is
// free and the heartbeat is on time. Runs N seconds (default 3), then prints
// a summary.

#include <pollen.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "demo_args.hpp"
#include "heartbeat.hpp"

using namespace pollen;
using namespace std::chrono_literals;

namespace {

// A synchronous client, as a legacy database driver or a blocking DNS
// lookup would be: it returns only once the answer is there.
std::string slow_lookup(int request) {
    std::this_thread::sleep_for(300ms);
    return "answer " + std::to_string(request);
}

// The request loop, forever. Destroying it mid-way drops its sleep, or its
// JoinHandle (the lookup then finishes on the pool, unwatched).
struct Handler : Async<Handler, void> {
    bool fixed;
    int request = 0;
    std::optional<Result<std::string, JoinError>> answer;
    POLLEN_FRAME;
    explicit Handler(bool f) : fixed(f) {}

    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (request = 1;; ++request) {
            POLLEN_AWAIT(time::sleep(200ms));  // the next request arrives
            if (!fixed) {
                answer = Ok(slow_lookup(request));  // the bug: blocks the worker for 300 ms
            } else {
                POLLEN_LET(answer, spawn_blocking([r = request] { return slow_lookup(r); }));  // the fix
            }
        }
        POLLEN_END;
    }
};

}  // namespace

int main(int argc, char** argv) {
    const auto [fixed, seconds] = samples::parse_demo_args(argc, argv, "blocking_call");
    std::printf("blocking_call%s: heartbeat every 100 ms, a request every 200 ms, for %d s\n",
                fixed ? " --fixed" : "", seconds);
    std::fflush(stdout);
    auto stats = std::make_shared<samples::HeartbeatStats>();
    Runtime rt = Runtime::builder().worker_threads(1).build();
    rt.block_on(lazy([&] {
        task::Builder().name("heartbeat").spawn(samples::Heartbeat(100ms, stats));
        task::Builder().name("handler").spawn(Handler(fixed));
    }));
    rt.block_on(time::sleep(std::chrono::seconds(seconds)));
    stats->print();
    return 0;
}
