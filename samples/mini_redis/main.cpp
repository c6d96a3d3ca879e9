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
// The tasks: the server (pollen::net::serve: accept, signals, drain), one
// Connection per client (connection.hpp), and an Expirer that purges keys
// past their deadline every 100 ms, as Redis's active expiry does.
#include <pollen.hpp>

#include "../server_args.hpp"

#include <memory>

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
    auto state = std::make_shared<mini_redis::State>();
    state->limits = limits;
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    pollen::net::ServeOptions options;  // SIGINT/SIGTERM, then two seconds to finish
    // The expirer is a task of its own: it runs on whichever worker is free,
    // like any connection, and ends with the shutdown token.
    (void)rt.spawn(Expirer(state, options.shutdown));
    auto handler = [state, shutdown = options.shutdown](pollen::net::TcpStream stream, pollen::net::SocketAddr) {
        (void)stream.set_nodelay(true);  // replies are small and awaited one by one
        return mini_redis::Connection(std::move(stream), state, shutdown);
    };
    return samples::run_server(rt, args, "mini_redis", handler, options);
}
