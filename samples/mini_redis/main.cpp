// mini_redis: a Redis-compatible server (RESP2), in the spirit of Tokio's
// mini-redis. Real redis-cli and redis-benchmark talk to it.
//
//     mini_redis [--port P] [--threads N] [--host A] [--max-bulk BYTES]
//
// Commands: PING, ECHO, GET, MGET, SET (EX/PX, NX/XX, KEEPTTL, GET), DEL,
// EXISTS, INCR/DECR/INCRBY/DECRBY, EXPIRE/PEXPIRE, TTL/PTTL, PERSIST, DBSIZE,
// FLUSHDB, PUBLISH, SUBSCRIBE/UNSUBSCRIBE, QUIT, SELECT 0, and what the tools
// send on connect (COMMAND, CONFIG GET, CLIENT ..., INFO). Requests come as
// RESP arrays or as inline text lines (`nc` / telnet / redis-cli --pipe).
// A bulk string longer than --max-bulk (default 64 MiB; Redis allows
// 512 MiB) is a protocol error that closes that connection.
//
// Prints `listening port=P` once ready. On SIGINT/SIGTERM it stops
// accepting, lets each connection finish the request it is in (two seconds
// at most), and exits 0.
//
// The tasks: one Server (this file's future: accept, signals, drain), one
// Connection per client (connection.hpp), and an Expirer that purges keys
// past their deadline every 100 ms, as Redis's active expiry does.
#include <pollen.hpp>

#include "../server_args.hpp"

#include <cstdio>
#include <memory>
#include <optional>

#include "connection.hpp"
#include "state.hpp"

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;

namespace {

/// Removes expired keys nobody reads any more, a bounded batch per tick so a
/// flood of deadlines never holds the Db lock for long. Ends on shutdown.
class Expirer : public pollen::FutureExt<Expirer> {
public:
    using Output = void;

    Expirer(std::shared_ptr<mini_redis::State> state, const pollen::CancellationToken& shutdown)
        : state_(std::move(state)), shutdown_(shutdown.cancelled()), tick_(pollen::time::interval(100ms)) {
        tick_.set_missed_tick_behavior(pollen::time::MissedTickBehavior::Delay);
    }

    Poll<void> poll(Context& cx) {
        if (shutdown_.poll(cx).is_ready()) return pollen::ready();
        while (tick_.poll_tick(cx).is_ready()) {
            state_->db.purge_expired(mini_redis::Db::Clock::now(), 10'000);
        }
        return pollen::pending;
    }

private:
    std::shared_ptr<mini_redis::State> state_;
    pollen::WaitForCancellation shutdown_;
    pollen::time::Interval tick_;
};

/// Accepts clients and spawns a Connection for each, until SIGINT or
/// SIGTERM; then drains. Ready with the process's exit status. The body
/// reads as the Rust `async fn` would: start, serve until a signal (a select!
/// over the signals, accepting and reaping), cancel, drain for 2 s at most.
class Server : public pollen::Async<Server, int> {
public:
    Server(samples::ServerArgs args, resp::Limits limits)
        : args_(std::move(args)), state_(std::make_shared<mini_redis::State>()) {
        state_->limits = limits;
    }

    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        if (int status = start(); status != 0) POLLEN_RETURN(status);
        POLLEN_AWAIT(pollen::poll_fn([this](Context& c) { return poll_serve(c); }));
        std::fprintf(stderr, "mini_redis: shutting down, %zu connection(s) open\n", conns_.len());
        listener_.reset();
        shutdown_.cancel();
        POLLEN_LET(drained_, pollen::time::timeout(2s, pollen::poll_fn([this](Context& c) { return poll_drained(c); })));
        if (drained_->is_err()) std::fprintf(stderr, "mini_redis: %zu connection(s) still open, aborting them\n", conns_.len());
        POLLEN_RETURN(0);
        POLLEN_END;
    }

private:
    int start() {
        // Signals first: one sent right after `listening` must not find the default action.
        auto sigint = pollen::signal::signal(SIGINT);
        auto sigterm = pollen::signal::signal(SIGTERM);
        if (sigint.is_err() || sigterm.is_err()) {
            std::fprintf(stderr, "mini_redis: cannot listen for signals\n");
            return 1;
        }
        sigint_.emplace(std::move(sigint).value());
        sigterm_.emplace(std::move(sigterm).value());

        auto listener = samples::bind_listener(args_, "mini_redis");
        if (listener.is_err()) return listener.error();
        listener_.emplace(std::move(listener).value());
        // The expirer is a task of its own, not a part of this future: it
        // runs on whichever worker is free, like any connection, and ends
        // with the shutdown token.
        expirer_.emplace(pollen::spawn(Expirer(state_, shutdown_)));
        samples::announce_listening(*listener_);
        return 0;
    }

    bool signalled(Context& cx) {
        bool hit = sigint_->poll_recv(cx).is_ready();
        return sigterm_->poll_recv(cx).is_ready() || hit;
    }

    /// Accepts clients and reaps finished connections; Ready once SIGINT or
    /// SIGTERM came.
    Poll<void> poll_serve(Context& cx) {
        if (signalled(cx)) return pollen::ready();
        while (!conns_.is_empty()) {
            if (conns_.poll_join_next(cx).is_pending()) break;  // reap finished connections
        }
        for (;;) {
            auto p = listener_->poll_accept(cx);
            if (p.is_pending()) return pollen::pending;
            auto r = p.take();
            if (r.is_err()) {
                std::fprintf(stderr, "mini_redis: accept: %s\n", r.error().message().c_str());
                continue;
            }
            pollen::net::TcpStream& stream = r.value().first;
            (void)stream.set_nodelay(true);  // replies are small and awaited one by one
            conns_.spawn(mini_redis::Connection(std::move(stream), state_, shutdown_));
        }
    }

    /// Ready once every connection has ended.
    Poll<void> poll_drained(Context& cx) {
        for (;;) {
            auto p = conns_.poll_join_next(cx);
            if (p.is_pending()) return pollen::pending;
            if (!p.value()) return pollen::ready();
        }
    }

    samples::ServerArgs args_;
    std::shared_ptr<mini_redis::State> state_;
    std::optional<pollen::signal::Signal> sigint_, sigterm_;
    std::optional<pollen::net::TcpListener> listener_;
    pollen::CancellationToken shutdown_;
    pollen::JoinSet<pollen::io::Result<void>> conns_;
    std::optional<pollen::JoinHandle<void>> expirer_;
    std::optional<pollen::Result<void, pollen::time::Elapsed>> drained_;
    POLLEN_FRAME;
};

}  // namespace

int main(int argc, char** argv) {
    resp::Limits limits;
    samples::ServerArgs args = samples::parse_server_args(
        argc, argv, "mini_redis", 6379,
        [&](std::string_view flag, std::string_view value) {
            std::uint64_t n = 0;
            if (flag != "--max-bulk" || !samples::parse_uint(value, 512u << 20, n) || n == 0) return false;
            limits.max_bulk = n;
            limits.max_message = 2 * n + (1u << 20);  // a SET of one maximal value, and then some
            return true;
        },
        "[--max-bulk BYTES]");
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    return rt.block_on(Server(std::move(args), limits));
}
