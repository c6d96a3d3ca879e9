// streams: the stream examples of the Rust async book and tokio-stream, in
// pollen. A Stream is the async version of an Iterator: Rust's
//
//     trait Stream { type Item; fn poll_next(..) -> Poll<Option<Item>>; }
//
// is here a type with `using Item = T;` and
// `Poll<std::optional<T>> poll_next(Context&)`. Adapters (map, merge, take,
// for_each...) come from pollen::StreamExt, the free functions in
// pollen::stream, and the time-based ones from reactor/stream_time.hpp.
//
// The runtime is a current-thread one whose clock starts PAUSED (Tokio's
// `#[tokio::test(start_paused = true)]`): no real time passes; when every
// task is waiting on a timer, the clock jumps to the next deadline. So the
// program finishes at once, and the times printed ("t=150ms") are exact and
// the same on every run.

#include <pollen.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using pollen::time::Duration;
using pollen::time::Instant;

namespace {

void section(const char* title) { std::printf("\n== %s\n", title); }

/// Milliseconds of (paused) runtime clock since `start`.
long long ms_since(Instant start) {
    return static_cast<long long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Instant::now() - start).count());
}

/// A producer task: for each (delay, value) of `plan`, sleeps `delay` and
/// then sends `value`. When it ends, `tx` (held by the for_each closure) is
/// dropped and the channel closes, which ends the receiver's stream. In Rust:
///
///     tokio::spawn(async move {
///         for (d, v) in plan { sleep(d).await; tx.send(v).await.ok(); }
///     });
template <class T>
auto send_later(pollen::mpsc::Sender<T> tx, std::vector<std::pair<Duration, T>> plan) {
    return pollen::stream::iter(std::move(plan))
        // then: each item becomes a future (sleep, then the value): `.then(|..| async ..)`.
        .then([](std::pair<Duration, T> step) {
            return pollen::time::sleep(step.first).map([v = std::move(step.second)] { return v; });
        })
        // for_each may return a future: the send (it waits when the channel is full).
        .for_each([tx = std::move(tx)](T v) { return tx.send(std::move(v)).map([](auto) {}); });
}

}  // namespace

/// Runs `body(start)`'s future on `rt`. The body is called inside the
/// runtime, so Instant::now(), timers and intervals use its paused clock
/// (made outside, they would read the real clock).
template <class Body>
void run(pollen::Runtime& rt, Body body) {
    rt.block_on(pollen::future::lazy([] { return Instant::now(); }).then(std::move(body)));
}

int main() {
    pollen::Runtime rt = pollen::Builder::new_current_thread().enable_all().start_paused(true).build();

    section("an mpsc Receiver is a Stream (tokio_stream::wrappers::ReceiverStream)");
    run(rt, [](Instant start) {
        auto [tx, rx] = pollen::mpsc::channel<std::string>(8);
        pollen::spawn(send_later<std::string>(std::move(tx), {{100ms, "apple"}, {100ms, "banana"}, {100ms, "cherry"}}));
        // The receiver derives no StreamExt, so the free functions take it:
        // `while let Some(v) = rx.next().await { .. }` as a for_each.
        return pollen::stream::for_each(std::move(rx),
                                        [start](std::string v) {
                                            std::printf("t=%lldms received %s\n", ms_since(start), v.c_str());
                                        })
            .map([start] { std::printf("t=%lldms the stream ended: every Sender is gone\n", ms_since(start)); });
    });

    section("merge: ticks of an interval and channel messages, as they come");
    run(rt, [](Instant start) {
        // `StreamExt::merge` (futures' `select`): both streams must have the
        // same Item, so each side is mapped to a string first.
        auto [tx, rx] = pollen::mpsc::channel<int>(8);
        pollen::spawn(send_later<int>(std::move(tx), {{150ms, 1}, {150ms, 2}, {150ms, 3}, {150ms, 4}}));
        // An interval's first tick is immediate, then one every 250ms. It
        // never ends, so the merged stream is cut with take(7).
        auto ticks = pollen::time::interval_stream(250ms).map([](Instant) { return std::string("tick"); });
        auto messages = pollen::stream::map(std::move(rx), [](int n) { return "message " + std::to_string(n); });
        return std::move(ticks).merge(std::move(messages)).take(7).for_each([start](std::string s) {
            std::printf("t=%lldms %s\n", ms_since(start), s.c_str());
        });
    });

    section("throttle: at most one item per 100ms");
    run(rt, [](Instant start) {
        // stream::iter is always ready; throttle sleeps between items
        // (tokio-stream's `StreamExt::throttle`). The first item passes at once.
        auto throttled = pollen::time::throttle(pollen::stream::iter({'a', 'b', 'c', 'd'}), 100ms);
        return std::move(throttled).for_each(
            [start](char c) { std::printf("t=%lldms item %c\n", ms_since(start), c); });
    });

    section("timeout: each item must come within 200ms");
    run(rt, [](Instant start) {
        // tokio-stream's `StreamExt::timeout`: items come as Ok(item); a gap
        // longer than the limit yields one Err(Elapsed), and the stream then
        // keeps waiting for the late item.
        auto [tx, rx] = pollen::mpsc::channel<std::string>(8);
        pollen::spawn(send_later<std::string>(std::move(tx), {{50ms, "quick"}, {300ms, "late"}, {50ms, "quick again"}}));
        return pollen::time::timeout(std::move(rx), 200ms)
            .for_each([start](pollen::Result<std::string, pollen::time::Elapsed> r) {
                if (r.is_ok())
                    std::printf("t=%lldms Ok(%s)\n", ms_since(start), r.value().c_str());
                else
                    std::printf("t=%lldms Err(Elapsed): nothing for 200ms\n", ms_since(start));
            })
            .map([start] { std::printf("t=%lldms done: the channel closed\n", ms_since(start)); });
    });
    return 0;
}
