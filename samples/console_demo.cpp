// console_demo: a program to watch with the live console (docs/console.md).
// Its named tasks include three classic bugs, each one a warning of
// pollen-console:
//
//   ticker      a healthy task: a timer every 20 ms
//   worker-N    healthy tasks: some CPU work, then a random short sleep
//   blocker     calls std::this_thread::sleep_for (a blocking call) inside
//               its poll for 1.5 s every 2 s: "in one poll for ..."
//   spinner     wakes itself and returns Pending on every poll (a busy
//               loop): "woke itself on 100% of its polls"
//   orphan      returns Pending without keeping its waker (a lost wake):
//               "pending ... with no waker alive", and the lost-waker count
//
//   console_demo [--seconds N]
//
// prints `console path=SOCKET pid=PID`, then runs until SIGINT or SIGTERM
// (or N seconds) and shuts down, which removes the socket. Attach with
// `pollen-console PID` (or the path).

#include <pollen.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;
using pollen::time::Instant;

namespace {

// Every `period`, burns about `work` of CPU; forever.
struct Periodic {
    using Output = void;
    Periodic(std::chrono::milliseconds p, std::chrono::microseconds w, bool random = false)
        : period(p), work(w), random_period(random) {}
    std::chrono::milliseconds period;
    std::chrono::microseconds work;
    bool random_period = false;
    std::optional<pollen::time::Sleep> sleep;
    std::minstd_rand rng{std::random_device{}()};

    Poll<void> poll(Context& cx) {
        for (;;) {
            if (!sleep) {
                auto d = random_period ? std::chrono::milliseconds(1 + rng() % period.count()) : period;
                sleep.emplace(pollen::time::sleep(d));
            }
            if (sleep->poll(cx).is_pending()) return pollen::pending;
            sleep.reset();
            auto until = std::chrono::steady_clock::now() + work;
            volatile unsigned x = 0;
            while (std::chrono::steady_clock::now() < until) x = x * 31 + 7;
        }
    }
};

// The bug: a blocking call in a task holds its worker (use spawn_blocking).
struct Blocker {
    using Output = void;
    std::optional<pollen::time::Sleep> sleep;

    Poll<void> poll(Context& cx) {
        for (;;) {
            if (!sleep) sleep.emplace(pollen::time::sleep(500ms));
            if (sleep->poll(cx).is_pending()) return pollen::pending;
            sleep.reset();
            std::this_thread::sleep_for(1500ms);
        }
    }
};

// The bug: a busy loop that only ever yields.
struct Spinner {
    using Output = void;
    Poll<void> poll(Context& cx) {
        volatile unsigned x = 0;
        for (int i = 0; i < 2000; ++i) x = x * 31 + 7;
        cx.waker().wake_by_ref();
        std::this_thread::sleep_for(1ms);  // leaves the other tasks some CPU
        return pollen::pending;
    }
};

// The bug: Pending with nobody keeping the waker; nothing will wake it.
struct Orphan {
    using Output = void;
    Poll<void> poll(Context&) { return pollen::pending; }
};

// Until SIGINT, SIGTERM or the deadline.
struct UntilStopped {
    using Output = void;
    pollen::signal::Signal sigint;
    pollen::signal::Signal sigterm;
    std::optional<pollen::time::Sleep> deadline;

    Poll<void> poll(Context& cx) {
        if (sigint.poll_recv(cx).is_ready() || sigterm.poll_recv(cx).is_ready()) return pollen::ready();
        if (deadline && deadline->poll(cx).is_ready()) return pollen::ready();
        return pollen::pending;
    }
};

}  // namespace

int main(int argc, char** argv) {
    std::optional<std::chrono::seconds> seconds;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = std::chrono::seconds(std::atoi(argv[++i]));
        else {
            std::fprintf(stderr, "usage: console_demo [--seconds N]\n");
            return 2;
        }
    }
    auto rt = pollen::Runtime::builder().worker_threads(2).console(true).build();
    if (rt.console_path().empty()) {
        std::fprintf(stderr, "console_demo: the console could not start (see the warning above)\n");
        return 1;
    }
    std::printf("console path=%s pid=%d\n", rt.console_path().c_str(), int(::getpid()));
    std::fflush(stdout);

    rt.block_on(pollen::lazy([&] {
        pollen::task::Builder().name("ticker").spawn(Periodic{20ms, 50us});
        for (int i = 0; i < 4; ++i)
            pollen::task::Builder().name("worker-" + std::to_string(i)).spawn(Periodic{50ms, 300us, true});
        pollen::task::Builder().name("blocker").spawn(Blocker{});
        pollen::task::Builder().name("spinner").spawn(Spinner{});
        pollen::task::Builder().name("orphan").spawn(Orphan{});
    }));
    auto sigint = pollen::signal::signal(SIGINT);
    auto sigterm = pollen::signal::signal(SIGTERM);
    if (sigint.is_err() || sigterm.is_err()) return 1;
    UntilStopped until{std::move(sigint).value(), std::move(sigterm).value(), std::nullopt};
    if (seconds) until.deadline.emplace(pollen::time::sleep(*seconds));
    rt.block_on(std::move(until));
    return 0;
}
