// combinator_tour: how Rust's async building blocks look in pollen.
//
// In Rust you mostly write `async fn` and `.await`; the compiler turns the
// body into a state machine. pollen has no compiler help: a sequential body
// is written top to bottom with pollen::Async (core/async_fn.hpp; see
// samples/demo.cpp), and whatever runs several futures at once, or reads in
// one line, is assembled from combinators: small generic futures that own
// other futures and poll them. Each combinator here mirrors one of
// futures-rs / Tokio:
//
//   Rust                                   pollen
//   join!(a, b) / future::join(a, b)       pollen::join(a, b)
//   future::select(a, b)                   pollen::select(a, b)   (hands back the loser)
//   tokio::select! { v = a => .., v = b => .. }  pollen::race(a, b)  (same output type)
//   try_join!(a, b)                        pollen::try_join(a, b)
//   fut.and_then(|v| next(v))              std::move(fut).and_then(...)
//   tokio::time::timeout(d, fut)           select(fut, sleep(d)), written below
//   loop { ...; x.await; ... }             pollen::loop_fn(state, body)
//   tokio::spawn(fut) -> JoinHandle        rt.spawn(fut) -> JoinHandle
//
// The waiting is done by samples::Delay (samples/delay.hpp): a timer future
// completed by a helper thread, standing in for pollen::time::sleep until
// the reactor lands. Times printed are measured; they vary a little.

#include <pollen.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>

#include "delay.hpp"

using namespace std::chrono_literals;
using samples::delay;

namespace {

/// Milliseconds since it was made: each section times itself.
struct Stopwatch {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    long ms() const {
        return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - start)
                                     .count());
    }
};

void section(const char* title) { std::printf("\n== %s\n", title); }

/// A "request" that takes `ms` and then succeeds with `ms` or fails with a
/// message: the kind of fallible future try_join and and_then are for.
/// Rust: `async fn fetch(what, ms, ok) -> Result<i32, String>`.
auto fetch(std::string what, int ms, bool ok) {
    return delay(std::chrono::milliseconds(ms))
        .map([what = std::move(what), ms, ok]() -> pollen::Result<int, std::string> {
            if (ok) return pollen::Ok(ms);
            return pollen::Err(what + " failed");
        });
}

/// Tokio's `time::timeout` built from select: whichever finishes first wins.
/// The output is Ok(value) or Err(TimedOut); on a timeout the unfinished
/// future is handed back by select and dropped here, which cancels it.
struct TimedOut {};

template <pollen::Future F>
auto timeout(std::chrono::milliseconds limit, F fut) {
    using T = pollen::output_t<F>;
    // select may move the loser after polling it, so the future is boxed
    // (Rust's `Unpin` bound on future::select); Delay itself keeps its state
    // on the heap and may move freely.
    return pollen::select(std::move(fut).boxed(), delay(limit))
        .map([](auto either) -> pollen::Result<T, TimedOut> {
            if (either.is_left()) return pollen::Ok(std::move(either).left().first);
            return pollen::Err(TimedOut{});  // right(): (Unit, the boxed future), dropped
        });
}

}  // namespace

int main() {
    // Two worker threads; block_on runs the given future on this thread
    // while spawned tasks run on the workers (Tokio's multi-thread runtime).
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(2).build();

    section("join: run futures concurrently, wait for all of them");
    {
        Stopwatch sw;
        auto [a, b] = rt.block_on(pollen::join(delay(50ms).map([] { return 40; }),
                                               delay(20ms).map([] { return 2; })));
        std::printf("join gave %d + %d = %d after %ld ms (the longer wait, not the sum)\n", a, b,
                    a + b, sw.ms());
    }

    section("select: the first to finish wins, the loser is handed back");
    {
        Stopwatch sw;
        // Boxed because select moves the loser after polling it (see timeout()).
        auto fast = delay(20ms).map([] { return std::string("fast"); }).boxed();
        auto slow = delay(60ms).map([] { return std::string("slow"); }).boxed();
        auto either = rt.block_on(pollen::select(std::move(fast), std::move(slow)));
        if (either.is_left()) {
            auto [winner, loser] = std::move(either).left();
            std::printf("select: '%s' won after %ld ms\n", winner.c_str(), sw.ms());
            // The loser was only paused, not cancelled: we may still finish it.
            std::string late = rt.block_on(std::move(loser));
            std::printf("select: the loser, driven on, finished with '%s' at %ld ms\n",
                        late.c_str(), sw.ms());
        }
    }

    section("race: several futures of one output type, the first one wins");
    {
        Stopwatch sw;
        std::string winner = rt.block_on(pollen::race(
            delay(40ms).map([] { return std::string("tortoise"); }),
            delay(10ms).map([] { return std::string("hare"); })));
        // Unlike select, race drops the losers at once: the tortoise's timer
        // thread is cancelled, not waited for.
        std::printf("race: '%s' won after %ld ms\n", winner.c_str(), sw.ms());
    }

    section("timeout: select against a timer");
    {
        Stopwatch sw;
        auto quick = rt.block_on(timeout(100ms, delay(10ms).map([] { return 7; })));
        std::printf("timeout: 10 ms of work under a 100 ms limit -> %s %d\n",
                    quick.is_ok() ? "Ok" : "Err", quick.is_ok() ? quick.value() : 0);
        auto slow = rt.block_on(timeout(30ms, delay(10s).map([] { return 8; })));
        // The 10 s Delay was dropped, which cancelled it: we did not wait 10 s.
        std::printf("timeout: 10 s of work under a 30 ms limit -> %s (after %ld ms in all)\n",
                    slow.is_ok() ? "Ok" : "Err(TimedOut)", sw.ms());
    }

    section("try_join: all must succeed; the first error ends it early");
    {
        Stopwatch sw;
        auto both = rt.block_on(pollen::try_join(fetch("user", 20, true), fetch("orders", 30, true)));
        if (both.is_ok()) {
            auto [user, orders] = both.value();
            std::printf("try_join: Ok(%d, %d) after %ld ms\n", user, orders, sw.ms());
        }
        Stopwatch sw2;
        auto failed =
            rt.block_on(pollen::try_join(fetch("user", 300, true), fetch("orders", 10, false)));
        // The error arrives after 10 ms; the 300 ms "user" fetch is dropped then.
        std::printf("try_join: Err(%s) after %ld ms, without waiting for the slow one\n",
                    failed.is_err() ? failed.error().c_str() : "?", sw2.ms());
    }

    section("and_then: chain fallible steps (Rust: `let id = login().await?; orders(id).await`)");
    {
        auto chain = fetch("login", 10, true).and_then([](int session) {
            std::printf("and_then: logged in (session %d), fetching orders\n", session);
            return fetch("orders", 15, true);
        });
        auto ok = rt.block_on(std::move(chain));
        std::printf("and_then: Ok(%d)\n", ok.is_ok() ? ok.value() : -1);

        auto broken = fetch("login", 10, false).and_then([](int) {
            std::printf("and_then: never printed, the login failed\n");
            return fetch("orders", 15, true);
        });
        auto err = rt.block_on(std::move(broken));
        std::printf("and_then: Err(%s), the second step never ran\n",
                    err.is_err() ? err.error().c_str() : "?");
    }

    section("loop_fn: a loop with an await inside");
    {
        // Rust:
        //     let mut n = 3;
        //     loop { sleep(10ms).await; println!("tick {n}"); if n == 1 { break "liftoff" } n -= 1; }
        // Each iteration is a future whose output says Continue (with the
        // next state) or Break (with the result).
        std::string result = rt.block_on(pollen::loop_fn(3, [](int n) {
            return delay(10ms).map([n]() -> pollen::LoopStep<int, std::string> {
                std::printf("loop_fn: tick %d\n", n);
                if (n == 1) return pollen::Break{std::string("liftoff")};
                return pollen::Continue{n - 1};
            });
        }));
        std::printf("loop_fn: %s\n", result.c_str());
    }

    section("spawn: the same futures as tasks on the worker threads");
    {
        Stopwatch sw;
        // A JoinHandle is a future of Result<T, JoinError>, so handles compose
        // with the combinators above like any other future.
        pollen::JoinHandle<int> left = rt.spawn(delay(30ms).map([] { return 40; }));
        pollen::JoinHandle<int> right = rt.spawn(fetch("answer", 20, true).map([](auto r) {
            return std::move(r).value_or(0) / 10;
        }));
        auto [l, r] = rt.block_on(pollen::join(std::move(left), std::move(right)));
        std::printf("spawn: tasks returned %d and %d -> %d after %ld ms\n", l.value(), r.value(),
                    l.value() + r.value(), sw.ms());
    }

    std::printf("\ntour finished\n");
    return 0;
}
