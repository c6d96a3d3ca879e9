// demo: `make demo`, a first tour of pollen for newcomers.
//
// pollen is Rust's async model (the Future trait, Wakers, Tokio's runtime)
// in plain C++20: no coroutines at all. A future is an object with
// `poll(cx)`; a runtime polls futures as tasks on worker threads. This
// program shows the everyday tools, each next to its Tokio name, and times
// each one with a real clock (the numbers change from run to run):
//
//   1. spawning 100,000 tasks and collecting their results  tokio::spawn, JoinHandle
//   2. waiting for all / for the first                       join!, select!
//   3. giving up after a deadline                            tokio::time::timeout
//   4. what a JoinHandle tells you                           abort, JoinError, is_finished
//   5. taking turns                                          tokio::task::yield_now
//   6. results in completion order                           tokio::task::JoinSet
//   7. a TCP echo round trip over loopback                   TcpListener, TcpStream
//   8. a bounded pipeline and its backpressure               tokio::sync::mpsc::channel(n)
//   9. copying a file                                        tokio::fs
//
// For the machinery underneath, read timer_future.cpp and mini_executor.cpp;
// for every combinator, combinator_tour.cpp.

#include <pollen.hpp>

#include <stdlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;
using pollen::time::sleep;

namespace {

struct Stopwatch {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    double ms() const {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    }
};

void heading(const char* title) { std::printf("\n--- %s\n", title); }

// ---------------------------------------------------------------- 1. spawn

/// Some CPU work for a task: the number of Collatz steps from n down to 1.
std::uint64_t collatz_steps(std::uint64_t n) {
    std::uint64_t steps = 0;
    for (; n > 1; ++steps) n = (n % 2 == 0) ? n / 2 : 3 * n + 1;
    return steps;
}

/// Awaits JoinHandles one after another and sums their results. Rust:
///     let mut total = 0; for h in handles { total += h.await.unwrap(); } total
/// pollen's resumable body (pollen::Async) reads the same; the loop's index
/// lives across the await, so it is a member. By the time the loop reaches a
/// handle its task has usually finished, so most awaits are Ready at once.
class SumInOrder : public pollen::Async<SumInOrder, std::uint64_t> {
public:
    explicit SumInOrder(std::vector<pollen::JoinHandle<std::uint64_t>> handles) : handles_(std::move(handles)) {}

    Poll<std::uint64_t> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (next_ = 0; next_ < handles_.size(); ++next_) {
            POLLEN_LET(joined_, handles_[next_]);  // h.await (the handle is polled where it is)
            total_ += joined_->value();
        }
        POLLEN_RETURN(total_);
        POLLEN_END;
    }

private:
    std::vector<pollen::JoinHandle<std::uint64_t>> handles_;
    std::size_t next_ = 0;
    std::optional<pollen::Result<std::uint64_t, pollen::JoinError>> joined_;
    std::uint64_t total_ = 0;
    POLLEN_FRAME;
};

void spawn_many(pollen::Runtime& rt, std::size_t workers) {
    constexpr std::uint64_t kTasks = 100'000;
    Stopwatch sw;
    double spawned_ms = 0;
    // The spawning is done by a parent task, on a worker thread: there a
    // spawn is a push onto that worker's own queue, and the other workers
    // steal from it. (Spawned from outside the runtime, every spawn would go
    // through the shared queue and may wake a worker.)
    auto parent = pollen::future::lazy([&spawned_ms, &sw] {
                      std::vector<pollen::JoinHandle<std::uint64_t>> handles;
                      handles.reserve(kTasks);
                      for (std::uint64_t n = 1; n <= kTasks; ++n)
                          // Each task waits for its turn once (yield_now), then computes.
                          handles.push_back(pollen::spawn(pollen::yield_now().map([n] { return collatz_steps(n); })));
                      spawned_ms = sw.ms();
                      return SumInOrder(std::move(handles));
                  })
                      .then([](SumInOrder sum) { return sum; });  // .await the sum
    std::uint64_t total = rt.block_on(rt.spawn(std::move(parent))).value();
    double all_ms = sw.ms();
    std::printf("spawned %llu tasks from a task on %zu worker threads in %.1f ms\n",
                static_cast<unsigned long long>(kTasks), workers, spawned_ms);
    std::printf("all %llu tasks joined after %.1f ms (%.2f us per task); total Collatz steps = %llu\n",
                static_cast<unsigned long long>(kTasks), all_ms, all_ms * 1000.0 / kTasks,
                static_cast<unsigned long long>(total));
}

// ---------------------------------------------------------------- 2. join, select

void join_and_select(pollen::Runtime& rt) {
    // time::sleep is a timer future: the runtime's reactor wakes it.
    Stopwatch sw;
    rt.block_on(pollen::join(sleep(60ms), sleep(20ms)));
    std::printf("join(sleep 60 ms, sleep 20 ms) finished after %.0f ms: both ran at once\n", sw.ms());

    // select hands the unfinished future back, moving it; a Sleep is pinned
    // once polled (it sits in the timer heap), so each is boxed: the box moves.
    Stopwatch sw2;
    auto first = rt.block_on(pollen::select(sleep(60ms).boxed(), sleep(20ms).boxed()));
    std::printf("select(sleep 60 ms, sleep 20 ms): the %s one won after %.0f ms; the other was dropped\n",
                first.is_right() ? "20 ms" : "60 ms", sw2.ms());
}

// ---------------------------------------------------------------- 3. timeout

void timeouts(pollen::Runtime& rt) {
    // Rust: timeout(Duration::from_millis(50), sleep(Duration::from_secs(10))).await
    Stopwatch sw;
    auto late = rt.block_on(pollen::time::timeout(50ms, sleep(10s)));
    std::printf("timeout(50 ms, sleep 10 s): %s after %.0f ms; the 10 s sleep was dropped, not waited for\n",
                late.is_err() ? ("Err(" + late.error().what() + ")").c_str() : "Ok", sw.ms());

    Stopwatch sw2;
    auto in_time = rt.block_on(pollen::time::timeout(500ms, sleep(10ms)));
    std::printf("timeout(500 ms, sleep 10 ms): %s after %.0f ms: the sleep finished first\n",
                in_time.is_ok() ? "Ok" : "Err", sw2.ms());
}

// ---------------------------------------------------------------- 4. JoinHandle

void join_handles(pollen::Runtime& rt) {
    // A result. The handle is a future of Result<T, JoinError>.
    pollen::JoinHandle<int> answer = rt.spawn(pollen::future::lazy([] { return 6 * 7; }));
    pollen::Result<int, pollen::JoinError> r = rt.block_on(std::move(answer));
    std::printf("finished task: Ok(%d)\n", r.value());

    // Abort. The task is destroyed at its next scheduling point; destroying
    // its future cancels the 10 s timer inside, so nothing waits 10 s.
    Stopwatch sw;
    pollen::JoinHandle<void> sleeper = rt.spawn(sleep(10s));
    std::printf("sleeping task: is_finished() = %s\n", sleeper.is_finished() ? "true" : "false");
    sleeper.abort();
    auto aborted = rt.block_on(std::move(sleeper));
    std::printf("aborted task: is_cancelled() = %s, \"%s\", after %.0f ms\n",
                aborted.error().is_cancelled() ? "true" : "false", aborted.error().what().c_str(), sw.ms());

    // An exception escaping a task is Rust's panic: the task ends, the
    // worker lives on, and the JoinHandle carries the exception.
    pollen::JoinHandle<int> faulty =
        rt.spawn(pollen::future::lazy([]() -> int { throw std::runtime_error("the disk is on fire"); }));
    auto crashed = rt.block_on(std::move(faulty));
    std::printf("throwing task: is_panic() = %s, \"%s\"\n", crashed.error().is_panic() ? "true" : "false",
                crashed.error().what().c_str());
    try {
        crashed.error().rethrow();  // Rust: std::panic::resume_unwind
    } catch (const std::runtime_error& e) {
        std::printf("rethrow() gives the original exception back: %s\n", e.what());
    }
    auto after = rt.block_on(rt.spawn(pollen::future::lazy([] { return 1; })));
    std::printf("the runtime still runs tasks afterwards: Ok(%d)\n", after.value());
}

// ---------------------------------------------------------------- 5. yield_now

/// A task that prints `rounds` lines and, when `polite`, yields after each.
/// Rust:
///     for i in 1..=rounds { println!("{name}: step {i}"); if polite { yield_now().await } }
/// Written with pollen's resumable body, the loop reads the same; its counter
/// lives across the await, so it is a member, and poll resumes where it left off.
class Talker : public pollen::Async<Talker, void> {
public:
    Talker(const char* name, int rounds, bool polite) : name_(name), rounds_(rounds), polite_(polite) {}

    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (step_ = 1; step_ <= rounds_; ++step_) {
            std::printf("  %s: step %d\n", name_, step_);
            if (polite_) POLLEN_AWAIT(pollen::yield_now());
        }
        POLLEN_END;
    }

private:
    const char* name_;
    int rounds_;
    bool polite_;
    int step_ = 1;
    POLLEN_FRAME;
};

void taking_turns() {
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

// ---------------------------------------------------------------- 6. JoinSet

void join_set(pollen::Runtime& rt) {
    pollen::JoinSet<int> set;
    for (int ms : {30, 10, 20})
        set.spawn_on(sleep(std::chrono::milliseconds(ms)).map([ms] { return ms; }), rt.handle());
    std::printf("spawned 30 ms, 10 ms, 20 ms; finished:");
    // Rust: while let Some(res) = set.join_next().await { ... }
    while (auto next = rt.block_on(set.join_next())) std::printf(" %d ms", next->value());
    std::printf("\n");
}

// ---------------------------------------------------------------- 7. TCP echo

/// The server side: accepts one connection and writes back every byte it
/// reads, until the client closes. Ready with the number of bytes echoed.
/// (samples/echo_server.cpp is the full server: many clients, shutdown.)
///
///     async fn echo_once(listener: TcpListener) -> io::Result<usize> {
///         let (mut conn, _) = listener.accept().await?;
///         let mut echoed = 0;
///         loop {
///             let n = conn.read(&mut buf).await?;
///             if n == 0 { return Ok(echoed) }  // the client closed
///             conn.write_all(&buf[..n]).await?;
///             echoed += n;
///         }
///     }
class EchoOnce : public pollen::Async<EchoOnce, pollen::io::Result<std::size_t>> {
public:
    explicit EchoOnce(pollen::net::TcpListener listener) : listener_(std::move(listener)) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(conn_, listener_.accept());
        for (;;) {
            POLLEN_LET_TRY(n_, pollen::io::read(conn_->first, buf_));
            if (n_ == 0) POLLEN_RETURN(pollen::Ok(echoed_));
            POLLEN_AWAIT_TRY(pollen::io::write_all(conn_->first, std::span(buf_).first(n_)));
            echoed_ += n_;
        }
        POLLEN_END;
    }

private:
    pollen::net::TcpListener listener_;
    std::optional<std::pair<pollen::net::TcpStream, pollen::net::SocketAddr>> conn_;
    std::array<std::byte, 4096> buf_{};
    std::size_t n_ = 0, echoed_ = 0;
    POLLEN_FRAME;
};

/// The client side: connects, then `rounds` times sends `message` and reads
/// it back whole; closes the connection at the end. Ready with the number of
/// round trips whose echo matched.
///
///     async fn ping_pong(addr, message: &str, rounds: i32) -> io::Result<i32> {
///         let mut stream = TcpStream::connect(addr).await?;
///         stream.set_nodelay(true);
///         let mut matched = 0;
///         for _ in 0..rounds {
///             stream.write_all(message.as_bytes()).await?;
///             stream.read_exact(&mut reply).await?;
///             if reply == message { matched += 1 }
///         }
///         Ok(matched)  // and the stream is dropped, closed
///     }
class PingPong : public pollen::Async<PingPong, pollen::io::Result<int>> {
public:
    PingPong(const pollen::net::SocketAddr& addr, std::string_view message, int rounds)
        : addr_(addr), message_(message), rounds_(rounds), reply_(message.size(), '\0') {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(stream_, pollen::net::TcpStream::connect(addr_));
        (void)stream_->set_nodelay(true);  // small messages: send each at once
        for (done_ = 0; done_ < rounds_; ++done_) {
            POLLEN_AWAIT_TRY(pollen::io::write_all(*stream_, message_));
            POLLEN_AWAIT_TRY(pollen::io::read_exact(*stream_, std::as_writable_bytes(std::span(reply_))));
            if (reply_ == message_) ++matched_;
        }
        stream_.reset();  // closing: the server reads end of stream and finishes
        POLLEN_RETURN(pollen::Ok(matched_));
        POLLEN_END;
    }

private:
    pollen::net::SocketAddr addr_;
    std::optional<pollen::net::TcpStream> stream_;
    std::string message_;
    int rounds_;
    std::string reply_;
    int done_ = 0, matched_ = 0;
    POLLEN_FRAME;
};

void tcp_echo(pollen::Runtime& rt) {
    constexpr int kRounds = 1000;
    const std::string message = "hello over loopback";
    // Port 0: the OS picks a free one. bind registers the socket with the
    // runtime's reactor, so it runs inside the runtime (lazy, in block_on).
    auto bound = rt.block_on(pollen::future::lazy([] {
        return pollen::net::TcpListener::bind(pollen::net::SocketAddr(pollen::net::IpAddr::localhost_v4(), 0));
    }));
    if (bound.is_err()) {
        std::printf("echo: cannot listen on 127.0.0.1: %s\n", bound.error().message().c_str());
        return;
    }
    pollen::net::SocketAddr addr = bound.value().local_addr().value();
    pollen::JoinHandle<pollen::io::Result<std::size_t>> server = rt.spawn(EchoOnce(std::move(bound).value()));

    Stopwatch sw;
    auto matched = rt.block_on(PingPong(addr, message, kRounds));
    double ms = sw.ms();
    auto echoed = rt.block_on(std::move(server));
    if (matched.is_err() || echoed.is_err() || echoed.value().is_err()) {
        std::printf("echo: FAILED: %s\n", matched.is_err() ? matched.error().message().c_str() : "server");
        return;
    }
    std::printf("echo server listening on %s (a task); the client is another future in the same program\n",
                addr.to_string().c_str());
    std::printf("echo: %d of %d round trips of \"%s\" came back intact in %.1f ms (%.1f us per round trip)\n",
                matched.value(), kRounds, message.c_str(), ms, ms * 1000.0 / kRounds);
    std::printf("echo: the server echoed %zu bytes and ended when the client closed\n", echoed.value().value());
}

// ---------------------------------------------------------------- 8. pipeline

void bounded_pipeline(pollen::Runtime& rt) {
    constexpr int kItems = 20;
    constexpr std::size_t kCapacity = 4;
    struct Counters {
        std::atomic<int> sent{0}, consumed{0}, peak{0};
        std::atomic<long long> producer_done_us{0};
    };
    auto c = std::make_shared<Counters>();
    Stopwatch sw;
    auto [tx, rx] = pollen::mpsc::channel<int>(kCapacity);

    // The producer wants to send 20 items at once; send() waits while the
    // channel holds 4. Rust: for i in 1..=20 { tx.send(i).await? }
    auto producer = rt.spawn(
        pollen::stream::iter(std::views::iota(1, kItems + 1))
            .for_each([c, tx = std::move(tx)](int i) {
                return tx.send(i).map([c](auto) {
                    int in_flight = ++c->sent - c->consumed.load();
                    int peak = c->peak.load();
                    while (in_flight > peak && !c->peak.compare_exchange_weak(peak, in_flight)) {}
                });
            })
            .map([c, sw] { c->producer_done_us = static_cast<long long>(sw.ms() * 1000); }));
    // The consumer takes 5 ms per item. Rust: while let Some(i) = rx.recv().await { sleep(5ms).await }
    auto consumer = rt.spawn(pollen::stream::for_each(std::move(rx), [c](int) {
        return sleep(5ms).map([c] { ++c->consumed; });
    }));
    rt.block_on(pollen::join(std::move(producer), std::move(consumer)));
    double total_ms = sw.ms();

    std::printf("pipeline: %d items through a channel of capacity %zu to a consumer taking 5 ms each\n", kItems,
                kCapacity);
    std::printf("pipeline: the producer finished sending after %.0f ms, not at once: send() waited for room\n",
                static_cast<double>(c->producer_done_us.load()) / 1000.0);
    std::printf("pipeline: at most %d items were in flight (bound: %zu in the channel + 1 being consumed); "
                "all %d consumed after %.0f ms\n",
                c->peak.load(), kCapacity, c->consumed.load(), total_ms);
}

// ---------------------------------------------------------------- 9. files

void copy_a_file(pollen::Runtime& rt) {
    namespace fs = pollen::fs;
    char tmpl[] = "/tmp/pollen-demo-XXXXXX";
    if (!::mkdtemp(tmpl)) {
        std::printf("files: cannot create a temp dir\n");
        return;
    }
    const std::filesystem::path dir = tmpl, src = dir / "source.bin", dst = dir / "copy.bin";
    constexpr std::size_t kSize = 8 * 1024 * 1024;
    std::vector<std::byte> data(kSize);
    for (std::size_t i = 0; i < kSize; ++i) data[i] = static_cast<std::byte>((i * 131) ^ (i >> 12));

    // Each fs call is a future whose syscalls run on the blocking pool, so a
    // slow disk never stalls a worker thread (tokio::fs does the same).
    auto wrote = rt.block_on(fs::write(src, data));
    Stopwatch sw;
    auto copied = rt.block_on(fs::copy(src, dst));
    double ms = sw.ms();
    auto back = rt.block_on(fs::read(dst));
    auto removed = rt.block_on(fs::remove_dir_all(dir));

    if (wrote.is_err() || copied.is_err() || back.is_err()) {
        std::printf("files: FAILED: %s\n",
                    (wrote.is_err() ? wrote.error() : copied.is_err() ? copied.error() : back.error()).message().c_str());
        return;
    }
    std::printf("files: copied %llu bytes (8 MiB) in %s in %.1f ms (%.0f MB/s) with fs::copy\n",
                static_cast<unsigned long long>(copied.value()), dir.c_str(), ms,
                static_cast<double>(copied.value()) / 1e3 / std::max(ms, 0.001));
    std::printf("files: read back, the copy is %s; temp dir %s\n",
                back.value() == data ? "identical to the source" : "DIFFERENT",
                removed.is_ok() ? "removed" : "NOT removed");
}

}  // namespace

int main() {
    Stopwatch whole;
    std::printf("pollen demo: Rust's async model in C++20, without coroutines\n");

    // A multi-thread runtime, like #[tokio::main]: worker threads that run
    // tasks, a reactor for timers and sockets, a blocking pool for files.
    // block_on(fut) runs one future on this thread until it is done.
    const std::size_t workers = std::max(2u, std::thread::hardware_concurrency());
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(workers).enable_all().build();

    heading("1. spawn: 100,000 small tasks, then collect their results");
    spawn_many(rt, workers);
    heading("2. join waits for all, select for the first");
    join_and_select(rt);
    heading("3. timeout: a deadline for any future");
    timeouts(rt);
    heading("4. a JoinHandle reports how its task ended");
    join_handles(rt);
    heading("5. yield_now: a task lets the others run");
    taking_turns();
    heading("6. JoinSet: results in the order tasks finish");
    join_set(rt);
    heading("7. TCP: an echo server and its client in one program");
    tcp_echo(rt);
    heading("8. a bounded channel: backpressure slows the producer down");
    bounded_pipeline(rt);
    heading("9. files: write, copy, read back, clean up");
    copy_a_file(rt);

    std::printf("\ndemo finished in %.0f ms\n", whole.ms());
    return 0;
}
