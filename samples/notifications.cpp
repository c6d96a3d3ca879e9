// notifications: Tokio's two "one value, many readers" channels.
//
// - broadcast (tokio::sync::broadcast): every subscriber sees every message
//   sent after it subscribed. The channel keeps only the last `capacity`
//   messages; a subscriber that falls further behind gets Err(Lagged(n)),
//   n being how many it missed, and carries on with the oldest one kept.
//   Subscribers come and go: `tx.subscribe()` joins, dropping the Receiver leaves.
// - watch (tokio::sync::watch): a single value, the latest. Readers wait with
//   `changed()` and read with `borrow_and_update()`; updates that come faster
//   than a reader looks are coalesced: it only ever sees the newest.
//
// The runtime's clock is paused (Tokio's `start_paused`): timers fire by
// jumping the clock forward, so the run is instant and the times printed are
// exact and the same on every run.

// GCC 12 at -O2 reports a false maybe-uninitialized warning deep inside
// join() of JoinHandles (a std::variant's exception_ptr), as in some tests.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <pollen.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <ranges>
#include <string>

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;
using pollen::time::Duration;
using pollen::time::Instant;

namespace {

Instant g_start;  // set once the runtime runs; every line shows the time since

long long now_ms() {
    return static_cast<long long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Instant::now() - g_start).count());
}

/// A broadcast subscriber, the Rust async fn written as pollen's resumable body:
///
///     async fn subscriber(name, mut rx, work, max) {
///         loop {
///             match rx.recv().await {
///                 Ok(msg) => { println!(..); if seen == max { return } sleep(work).await }
///                 Err(Lagged(n)) => println!("missed {n}"),
///                 Err(Closed) => return,
///             }
///         }
///     }
class Subscriber : public pollen::Async<Subscriber, void> {
public:
    Subscriber(std::string name, pollen::broadcast::Receiver<std::string> rx, Duration work, int max)
        : name_(std::move(name)), rx_(std::move(rx)), work_(work), max_(max) {}

    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (;;) {
            POLLEN_LET(msg_, rx_.recv());
            if (msg_->is_ok()) {
                std::printf("t=%4lldms %-8s got '%s'\n", now_ms(), name_.c_str(), msg_->value().c_str());
                if (++seen_ == max_) {
                    // Returning drops rx_: this subscriber leaves the channel.
                    std::printf("t=%4lldms %-8s leaves after %d messages\n", now_ms(), name_.c_str(), seen_);
                    POLLEN_RETURN();
                }
                if (work_ > Duration::zero()) POLLEN_AWAIT(pollen::time::sleep(work_));  // "processing" it
            } else if (msg_->error().is_lagged()) {
                std::printf("t=%4lldms %-8s Lagged(%llu): too slow, missed %llu messages\n", now_ms(),
                            name_.c_str(), static_cast<unsigned long long>(msg_->error().lagged),
                            static_cast<unsigned long long>(msg_->error().lagged));
            } else {
                std::printf("t=%4lldms %-8s Closed: the publisher is gone\n", now_ms(), name_.c_str());
                POLLEN_RETURN();
            }
        }
        POLLEN_END;
    }

private:
    std::string name_;
    pollen::broadcast::Receiver<std::string> rx_;
    Duration work_;
    int max_;
    int seen_ = 0;
    std::optional<pollen::Result<std::string, pollen::broadcast::RecvError>> msg_;
    POLLEN_FRAME;
};

struct Config {
    int verbosity = 1;
    std::string mode = "normal";
};

/// The config watcher:
///
///     while rx.changed().await.is_ok() { let cfg = rx.borrow_and_update(); println!(..) }
///     println!("stop watching")
class Watcher : public pollen::Async<Watcher, void> {
public:
    explicit Watcher(pollen::watch::Receiver<Config> rx) : rx_(std::move(rx)) {}

    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (;;) {
            POLLEN_LET(changed_, rx_.changed());
            if (changed_->is_err()) break;
            {
                auto cfg = rx_.borrow_and_update();  // a read guard: keep it short
                std::printf("t=%4lldms watcher  config changed: verbosity=%d mode=%s\n", now_ms(), cfg->verbosity,
                            cfg->mode.c_str());
            }
        }
        std::printf("t=%4lldms watcher  the config Sender is gone: stop watching\n", now_ms());
        POLLEN_END;
    }

private:
    pollen::watch::Receiver<Config> rx_;
    std::optional<pollen::Result<void, pollen::watch::RecvError>> changed_;
    POLLEN_FRAME;
};

/// The admin: two updates, then two at once (the watcher sees only the
/// second: watch keeps the latest value, not a queue), then it leaves.
///
///     async move { sleep(250ms).await; tx.send_modify(..); sleep(300ms).await; tx.send(..); tx.send(..) }
class Admin : public pollen::Async<Admin, void> {
public:
    explicit Admin(pollen::watch::Sender<Config> tx) : tx_(std::move(tx)) {}

    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_AWAIT(pollen::time::sleep(250ms));
        std::printf("t=%4lldms admin    verbosity -> 2\n", now_ms());
        tx_.send_modify([](Config& c) { c.verbosity = 2; });
        POLLEN_AWAIT(pollen::time::sleep(300ms));
        std::printf("t=%4lldms admin    mode -> fast, then at once mode -> turbo\n", now_ms());
        (void)tx_.send(Config{3, "fast"});
        (void)tx_.send(Config{3, "turbo"});
        // Returning drops tx_ (the task drops its future): changed() then answers Err.
        POLLEN_END;
    }

private:
    pollen::watch::Sender<Config> tx_;
    POLLEN_FRAME;
};

}  // namespace

int main() {
    pollen::Runtime rt = pollen::Builder::new_current_thread().enable_all().start_paused(true).build();
    // ---------------------------------------------------------------- broadcast
    // Each part is set up inside the runtime (the body of a `then` that
    // block_on drives), so that timers and Instant::now() use its paused clock.
    (void)rt.block_on(pollen::future::lazy([] {}).then([] {
        g_start = Instant::now();
        // Capacity 2: the channel remembers only the last two messages.
        auto [tx, alice_rx] = pollen::broadcast::channel<std::string>(2);
        auto slow_rx = tx.subscribe();

        // alice keeps up; slowpoke needs 330ms per message and lags.
        auto alice = pollen::spawn(Subscriber("alice", std::move(alice_rx), 0ms, -1));
        auto slowpoke = pollen::spawn(Subscriber("slowpoke", std::move(slow_rx), 330ms, -1));

        // bob subscribes late, at 350ms, so he never sees the earlier news, and
        // leaves after two messages. The Sender copy in the closure is dropped
        // as soon as he has subscribed (`then` drops its closure after the call).
        auto bob = pollen::spawn(pollen::time::sleep(350ms).then([tx = tx] {
            std::printf("t=%4lldms bob      subscribes\n", now_ms());
            return Subscriber("bob", tx.subscribe(), 0ms, 2);
        }));

        // The publisher: news #1..#8, one every 100ms; then it drops its Sender,
        // the last one, and the subscribers get Closed once they have read the rest.
        auto publisher = pollen::spawn(
            pollen::stream::iter(std::views::iota(1, 9)).for_each([tx = std::move(tx)](int i) {
                return pollen::time::sleep(100ms).map([&tx, i] {
                    std::string msg = "news #" + std::to_string(i);
                    // send never waits; it answers how many receivers got it.
                    auto r = tx.send(msg);
                    std::printf("t=%4lldms publish  '%s' to %zu subscriber(s)\n", now_ms(), msg.c_str(),
                                r.is_ok() ? r.value() : 0);
                });
            }));

        // Wait for the four tasks (each output is Result<void, JoinError>).
        return pollen::join(std::move(publisher), std::move(bob), std::move(alice), std::move(slowpoke));
    }));

    // ---------------------------------------------------------------- watch
    std::printf("\n");
    (void)rt.block_on(pollen::future::lazy([] {}).then([] {
        g_start = Instant::now();
        auto [cfg_tx, cfg_rx] = pollen::watch::channel<Config>(Config{});
        std::printf("t=%4lldms watcher  initial config: verbosity=%d mode=%s\n", now_ms(),
                    cfg_rx.borrow()->verbosity, cfg_rx.borrow()->mode.c_str());

        auto watcher = pollen::spawn(Watcher(std::move(cfg_rx)));
        auto admin = pollen::spawn(Admin(std::move(cfg_tx)));
        return pollen::join(std::move(admin), std::move(watcher));
    }));
    std::printf("done\n");
    return 0;
}
