// Destroying a busy runtime: live TCP connections (both ends in the runtime,
// tasks parked in read), timers far in the future, senders blocked on a full
// bounded mpsc, tasks waiting on a Mutex and on a Notify, and blocking-pool
// work in flight. Shutdown must finish (a watchdog turns a hang into a
// failure), free everything (the ASan/LSan run checks), and close every file
// descriptor the runtime opened: /proc/self/fd has as many entries after as
// before.
#include <gtest/gtest.h>
#include <dirent.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>

#include <pollen.hpp>

using namespace pollen;
using namespace pollen::net;
using namespace std::chrono_literals;

namespace {

std::size_t open_fds() {
    std::size_t n = 0;
    DIR* d = ::opendir("/proc/self/fd");
    if (!d) return 0;
    while (::readdir(d)) ++n;
    ::closedir(d);
    return n;
}

/// open_fds() once it is back to `expected`, or after 10 s. A blocking-pool
/// thread is detached: it may drop the last reference to the runtime's
/// reactor (its epoll fd and eventfd) a moment after the Runtime destructor
/// returned, so the count settles rather than drops at once. A leak never
/// settles and still fails.
std::size_t open_fds_settled(std::size_t expected) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::size_t n = open_fds();
    while (n != expected && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        n = open_fds();
    }
    return n;
}

/// Aborts the process with a message if not disarmed in time: a hung
/// shutdown becomes a failure rather than a stuck suite.
class Watchdog {
public:
    explicit Watchdog(const char* what, std::chrono::seconds bound)
        : thread_([this, what, bound] {
              std::unique_lock lock(mu_);
              if (!cv_.wait_for(lock, bound, [this] { return done_; })) {
                  std::fprintf(stderr, "runtime_shutdown_test: %s did not finish in %llds\n", what,
                               static_cast<long long>(bound.count()));
                  std::abort();
              }
          }) {}
    ~Watchdog() {
        {
            std::lock_guard lock(mu_);
            done_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
    std::thread thread_;
};

/// Reads until the peer closes; counts itself as parked at its first poll.
struct ReadUntilClosed : FutureExt<ReadUntilClosed> {
    using Output = void;
    TcpStream stream;
    std::shared_ptr<std::atomic<int>> parked;
    bool counted = false;
    std::byte buf[64] = {};
    Poll<void> poll(Context& cx) {
        if (!counted) {
            counted = true;
            ++*parked;
        }
        for (;;) {
            auto p = stream.poll_read(cx, buf);
            if (p.is_pending()) return pending;
            if (p.value().is_err() || *p.value() == 0) return ready();
        }
    }
};

/// Accepts `n` connections, parking a reader on each.
struct AcceptN : FutureExt<AcceptN> {
    using Output = void;
    TcpListener listener;
    int left;
    std::shared_ptr<std::atomic<int>> parked;
    Poll<void> poll(Context& cx) {
        while (left > 0) {
            auto p = listener.poll_accept(cx);
            if (p.is_pending()) return pending;
            if (p.value().is_ok()) spawn(ReadUntilClosed{{}, std::move(p.value()->first), parked});
            --left;
        }
        return ready();
    }
};

/// Everything a busy runtime holds; what the tests destroy it with.
struct Busy {
    static constexpr int kConnections = 4;
    Mutex<int> mutex{0};
    Notify notify;
    std::optional<mpsc::Sender<int>> tx;
    std::optional<mpsc::Receiver<int>> rx;
    std::shared_ptr<std::atomic<int>> parked = std::make_shared<std::atomic<int>>(0);
    std::shared_ptr<std::atomic<bool>> blocking_started = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<std::atomic<bool>> blocking_done = std::make_shared<std::atomic<bool>>(false);

    Busy() {
        auto [t, r] = mpsc::channel<int>(1);
        tx.emplace(std::move(t));
        rx.emplace(std::move(r));
        (void)tx->try_send(0);  // full
    }

    /// Starts it all on `rt` and returns once every task is parked.
    void start(Runtime& rt) {
        rt.block_on(future::lazy([&] {
            auto listener = TcpListener::bind(SocketAddr(IpAddr::localhost_v4(), 0)).unwrap();
            SocketAddr addr = listener.local_addr().value();
            spawn(AcceptN{{}, std::move(listener), kConnections, parked});
            for (int i = 0; i < kConnections; ++i)
                spawn(TcpStream::connect(addr).then([p = parked](io::Result<TcpStream> s) {
                    return ReadUntilClosed{{}, std::move(s).unwrap(), p};
                }));
            for (int i = 0; i < 3; ++i) spawn(time::sleep(1h));
            for (int i = 1; i <= 3; ++i) spawn(tx->send(i).map([](auto) {}));
            // One task holds the mutex while it sleeps; two more wait for it.
            spawn(mutex.lock().then([](MutexGuard<int> g) {
                return time::sleep(1h).map([g = std::make_shared<MutexGuard<int>>(std::move(g))] {});
            }));
            for (int i = 0; i < 2; ++i) spawn(mutex.lock().map([](MutexGuard<int>) {}));
            for (int i = 0; i < 2; ++i) spawn(notify.notified());
        }));
        // In flight, not merely queued (queued blocking work is dropped at
        // shutdown, as Tokio's is): shutdown must wait for it.
        (void)rt.spawn_blocking([started = blocking_started, done = blocking_done] {
            started->store(true);
            std::this_thread::sleep_for(50ms);
            done->store(true);
        });
        // Wait (driving the runtime) until both ends of every connection
        // read and the blocking closure runs.
        auto give_up = std::chrono::steady_clock::now() + 30s;
        rt.block_on(future::poll_fn([&](Context& cx) -> Poll<void> {
            bool all = parked->load() == 2 * kConnections && blocking_started->load();
            if (all || std::chrono::steady_clock::now() > give_up) return ready();
            cx.waker().wake_by_ref();
            return pending;
        }));
        ASSERT_EQ(parked->load(), 2 * kConnections);
        ASSERT_TRUE(blocking_started->load());
    }
};

Runtime build(bool multi_thread) {
    if (multi_thread) return Builder::new_multi_thread().worker_threads(2).enable_all().build();
    return Builder::new_current_thread().enable_all().build();
}

class Shutdown : public ::testing::TestWithParam<bool> {};

}  // namespace

TEST_P(Shutdown, ABusyRuntimeShutsDownFreesEverythingAndClosesEveryFd) {
    Busy busy;  // outlives the runtime: its tasks borrow the mutex, notify and sender
    std::size_t before = open_fds();
    {
        Runtime rt = build(GetParam());
        busy.start(rt);
        if (HasFatalFailure()) return;
        EXPECT_GT(open_fds(), before);  // the sockets, epoll and its eventfd
        Watchdog watchdog("shutting down a busy runtime", 60s);
        rt.shutdown_timeout(30s);
    }
    EXPECT_TRUE(busy.blocking_done->load());  // the blocking work in flight was waited for
    EXPECT_EQ(open_fds(), before);
    // Every task was destroyed: the mutex is free, and the channel has its
    // one queued value with every blocked send gone (none was sent).
    EXPECT_TRUE(busy.mutex.try_lock().is_ok());
    EXPECT_EQ(busy.rx->try_recv().unwrap(), 0);
    EXPECT_TRUE(busy.rx->try_recv().is_err());
}

TEST_P(Shutdown, DestroyingTheRuntimeWithoutAnExplicitShutdownDoesTheSame) {
    Busy busy;
    std::size_t before = open_fds();
    {
        std::optional<Runtime> rt(build(GetParam()));
        busy.start(*rt);
        if (HasFatalFailure()) return;
        Watchdog watchdog("the Runtime destructor", 60s);
        rt.reset();
    }
    EXPECT_EQ(open_fds_settled(before), before);
}

TEST_P(Shutdown, FiftyRuntimesCreatedAndDestroyedLeaveTheFdCountUnchanged) {
    std::size_t before = open_fds();
    for (int i = 0; i < 50; ++i) {
        Busy busy;
        {
            std::optional<Runtime> rt(build(GetParam()));
            busy.start(*rt);
            if (HasFatalFailure()) return;
            Watchdog watchdog("a runtime of the loop", 60s);
            rt.reset();
        }
        ASSERT_EQ(open_fds_settled(before), before) << "after runtime " << i;
    }
}

INSTANTIATE_TEST_SUITE_P(BothFlavours, Shutdown, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "MultiThread" : "CurrentThread"; });

// A wake from a thread the runtime does not own, racing the runtime's
// destruction: the waking thread queued the task, the runtime ran it to the
// end and was destroyed while that thread was still unparking it (TSan saw
// the freed parker). The current-thread flavour now unparks under the
// lock that shutdown takes first.
TEST(ShutdownRace, AForeignWakeStillUnparkingWhenTheCurrentThreadRuntimeIsDestroyed) {
    struct WakeFromAThread : FutureExt<WakeFromAThread> {
        using Output = void;
        bool started = false;
        Poll<void> poll(Context& cx) {
            if (started) return ready();
            started = true;
            std::thread([w = cx.waker()]() mutable { std::move(w).wake(); }).detach();
            return pending;
        }
    };
    for (int i = 0; i < 200; ++i) {
        Runtime rt = Builder::new_current_thread().build();
        EXPECT_TRUE(rt.block_on(rt.spawn(WakeFromAThread{})).is_ok());
    }
}
