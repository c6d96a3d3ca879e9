// demo: `make demo`, a first tour of pollen for newcomers.
//
// pollen is Rust's async model (the Future trait, Wakers, Tokio's runtime)
// in plain C++20: no coroutines at all. A future is an object with
// `poll(cx)`; a runtime polls futures as tasks on worker threads. This
// program shows the everyday tools, each next to its Tokio name:
//
//   1. spawning many tasks and collecting their results   tokio::spawn, JoinHandle
//   2. waiting for all / for the first                     join!, select!
//   3. what a JoinHandle tells you                         abort, JoinError, is_finished
//   4. taking turns                                        tokio::task::yield_now
//   5. results in completion order                         tokio::task::JoinSet
//
// For the machinery underneath, read timer_future.cpp and mini_executor.cpp;
// for every combinator, combinator_tour.cpp.

#include <pollen.hpp>

#include <chrono>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "delay.hpp"

using namespace std::chrono_literals;
using samples::delay;

namespace {

struct Stopwatch {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    double ms() const {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    }
};

void heading(const char* title) { std::printf("\n--- %s\n", title); }

/// Some CPU work for a task: the number of Collatz steps from n down to 1.
std::uint64_t collatz_steps(std::uint64_t n) {
    std::uint64_t steps = 0;
    for (; n > 1; ++steps) n = (n % 2 == 0) ? n / 2 : 3 * n + 1;
    return steps;
}

/// A task that prints `rounds` lines and, when `polite`, yields after each.
/// Rust:
///     for i in 1..=rounds { println!("{name}: step {i}"); if polite { yield_now().await } }
/// Written by hand, an `.await` inside a loop is a state machine: the future
/// being awaited is a member, and poll resumes where it left off.
class Talker {
public:
    using Output = void;
    Talker(const char* name, int rounds, bool polite) : name_(name), rounds_(rounds), polite_(polite) {}

    pollen::Poll<void> poll(pollen::Context& cx) {
        for (;;) {
            if (yielding_) {  // resume at the `.await`
                if (yielding_->poll(cx).is_pending()) return pollen::pending;
                yielding_.reset();
            }
            if (step_ > rounds_) return pollen::ready();
            std::printf("  %s: step %d\n", name_, step_++);
            if (polite_) yielding_.emplace();  // yield_now().await
        }
    }

private:
    const char* name_;
    int rounds_;
    bool polite_;
    int step_ = 1;
    std::optional<pollen::YieldNow> yielding_;
};

}  // namespace

int main() {
    std::printf("pollen demo: Rust's async model in C++20, without coroutines\n");

    // A multi-thread runtime, like #[tokio::main]: worker threads that run
    // tasks. block_on(fut) runs one future on this thread until it is done.
    const std::size_t workers = std::max(2u, std::thread::hardware_concurrency());
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(workers).build();

    heading("1. spawn: many small tasks, then collect their results");
    {
        constexpr std::uint64_t kTasks = 10'000;
        Stopwatch sw;
        std::vector<pollen::JoinHandle<std::uint64_t>> handles;
        handles.reserve(kTasks);
        for (std::uint64_t n = 1; n <= kTasks; ++n)
            // Each task waits for its turn once (yield_now), then computes.
            handles.push_back(
                rt.spawn(pollen::yield_now().map([n] { return collatz_steps(n); })));
        double spawned_ms = sw.ms();
        // Rust: for h in handles { total += h.await.unwrap(); }
        std::uint64_t total = 0;
        for (auto& handle : handles) total += rt.block_on(std::move(handle)).value();
        std::printf("spawned %llu tasks on %zu worker threads in %.1f ms\n",
                    static_cast<unsigned long long>(kTasks), workers, spawned_ms);
        std::printf("all joined after %.1f ms (%.2f us per task); total Collatz steps = %llu\n",
                    sw.ms(), sw.ms() * 1000.0 / kTasks, static_cast<unsigned long long>(total));
    }

    heading("2. join waits for all, select for the first");
    {
        // samples::Delay is a timer future run by a helper thread (a stand-in
        // for pollen::time::sleep, which arrives with the reactor).
        Stopwatch sw;
        rt.block_on(pollen::join(delay(60ms), delay(20ms)));
        std::printf("join(60 ms, 20 ms) finished after %.0f ms: both ran at once\n", sw.ms());

        Stopwatch sw2;
        auto first = rt.block_on(pollen::select(delay(60ms), delay(20ms)));
        std::printf("select(60 ms, 20 ms): the %s one won after %.0f ms; the other was dropped\n",
                    first.is_right() ? "20 ms" : "60 ms", sw2.ms());
    }

    heading("3. a JoinHandle reports how its task ended");
    {
        // A result. The handle is a future of Result<T, JoinError>.
        pollen::JoinHandle<int> answer = rt.spawn(pollen::future::lazy([] { return 6 * 7; }));
        pollen::Result<int, pollen::JoinError> r = rt.block_on(std::move(answer));
        std::printf("finished task: Ok(%d)\n", r.value());

        // Abort. The task is destroyed at its next scheduling point; destroying
        // its future cancels the 10 s timer inside, so nothing waits 10 s.
        Stopwatch sw;
        pollen::JoinHandle<void> sleeper = rt.spawn(delay(10s));
        std::printf("sleeping task: is_finished() = %s\n", sleeper.is_finished() ? "true" : "false");
        sleeper.abort();
        auto aborted = rt.block_on(std::move(sleeper));
        std::printf("aborted task: is_cancelled() = %s, \"%s\", after %.0f ms\n",
                    aborted.error().is_cancelled() ? "true" : "false",
                    aborted.error().what().c_str(), sw.ms());

        // An exception escaping a task is Rust's panic: the task ends, the
        // worker lives on, and the JoinHandle carries the exception.
        pollen::JoinHandle<int> faulty = rt.spawn(pollen::future::lazy([]() -> int {
            throw std::runtime_error("the disk is on fire");
        }));
        auto crashed = rt.block_on(std::move(faulty));
        std::printf("throwing task: is_panic() = %s, \"%s\"\n",
                    crashed.error().is_panic() ? "true" : "false", crashed.error().what().c_str());
        try {
            crashed.error().rethrow();  // Rust: std::panic::resume_unwind
        } catch (const std::runtime_error& e) {
            std::printf("rethrow() gives the original exception back: %s\n", e.what());
        }
        auto after = rt.block_on(rt.spawn(pollen::future::lazy([] { return 1; })));
        std::printf("the runtime still runs tasks afterwards: Ok(%d)\n", after.value());
    }

    heading("4. yield_now: a task lets the others run");
    {
        // One thread, so the order is exactly the scheduler's order. A parent
        // task spawns two children and waits for both; tasks spawned from a
        // task join the run queue of the thread running it, in order.
        pollen::Runtime local = pollen::Builder::new_current_thread().build();
        auto parent = [](bool polite) {
            // lazy: the spawning happens when the parent task first runs;
            // then: the parent goes on to await the join of the two handles.
            return pollen::future::lazy([polite] {
                       // Two statements: C++ leaves the order of function
                       // arguments open, and we want A spawned first.
                       auto a = pollen::spawn(Talker("A", 3, polite));
                       auto b = pollen::spawn(Talker("B", 3, polite));
                       return pollen::join(std::move(a), std::move(b));
                   })
                .then([](auto both_children) { return both_children; });
        };
        std::printf("without yielding, each task runs to its end:\n");
        auto rude = local.block_on(local.spawn(parent(false)));
        std::printf("with yield_now() after each step, they take turns:\n");
        auto polite = local.block_on(local.spawn(parent(true)));
        std::printf("both parents %s\n", rude.is_ok() && polite.is_ok() ? "finished" : "FAILED");
    }

    heading("5. JoinSet: results in the order tasks finish");
    {
        pollen::JoinSet<int> set;
        for (int ms : {30, 10, 20})
            set.spawn_on(delay(std::chrono::milliseconds(ms)).map([ms] { return ms; }), rt.handle());
        std::printf("spawned 30 ms, 10 ms, 20 ms; finished:");
        // Rust: while let Some(res) = set.join_next().await { ... }
        while (auto next = rt.block_on(set.join_next())) std::printf(" %d ms", next->value());
        std::printf("\n");
    }

    std::printf("\ndemo finished\n");
    return 0;
}
