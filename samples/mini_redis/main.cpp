// mini_redis: a Redis-compatible server (RESP2), in the spirit of Tokio's
// mini-redis. Real redis-cli and redis-benchmark talk to it.
//
//     mini_redis [--port P] [--threads N] [--host A]
//                [--proto-max-bulk-len BYTES]              (default 512mb; also --max-bulk)
//                [--client-query-buffer-limit BYTES]       (default 1gb)
//                [--max-query-buffer-total BYTES]          (default 2gb; 0: none)
//                [--client-output-buffer-limit "CLASS HARD SOFT SECONDS ..."]
//                [--maxclients N]   (default 10000; also --max-connections, 0: no cap)
//                [--timeout SECONDS] (default 0: never)
//
// Commands: strings, keys with expiry, lists (with blocking pops), hashes,
// sets, sorted sets, MULTI/EXEC/WATCH, pub/sub (with patterns and PUBSUB),
// HELLO, and what the tools send on connect (COMMAND, CONFIG GET/SET,
// CLIENT ..., INFO); samples/README.md lists them. Requests come as RESP
// arrays or as inline text lines (`nc` / telnet / redis-cli --pipe).
//
// The limits are Redis's, with its names and sizes ("32mb", "1gb", "100k"):
// a bulk string longer than proto-max-bulk-len is a protocol error that
// closes that connection; a client whose unprocessed input passes
// client-query-buffer-limit, or takes the total of all clients' past
// --max-query-buffer-total, is closed without a reply; and a client whose
// pending output passes its class's client-output-buffer-limit (normal:
// none; pubsub: 32mb hard, 8mb for 60 s) is closed too. The flag takes
// redis.conf's syntax and may repeat; CONFIG SET changes the last two.
// Past maxclients a newcomer reads "-ERR max number of clients reached" and
// is closed, as from redis-server; a client idle for `timeout` seconds is
// closed (connection.hpp). CONFIG SET changes both, for the open
// connections too.
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

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

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
    auto state = std::make_shared<mini_redis::State>();
    // Redis's protocol bounds: 512 MiB per bulk string, INT_MAX arguments;
    // the whole request is bounded by the query buffer limits instead.
    state->limits.max_bulk = 512u << 20;
    state->limits.max_elements = INT32_MAX;
    state->limits.max_message = SIZE_MAX;
    state->query_buffers.total = std::size_t{2} << 30;
    samples::ServerArgs defaults;
    defaults.port = 6379;
    defaults.max_connections = state->maxclients.load();
    std::optional<std::uint64_t> maxclients;  // --maxclients, redis-server's name for --max-connections
    samples::ServerArgs args = samples::parse_server_args(
        argc, argv, "mini_redis", defaults,
        [&](std::string_view flag, std::string_view value) {
            if (flag == "--client-output-buffer-limit") return !state->output_limits.set(value).has_value();
            std::uint64_t u = 0;
            if (flag == "--maxclients") {
                if (!samples::parse_uint(value, UINT32_MAX, u) || u == 0) return false;
                maxclients = u;
                return true;
            }
            if (flag == "--timeout") {
                if (!samples::parse_uint(value, INT32_MAX, u)) return false;
                state->timeout_seconds = static_cast<std::uint32_t>(u);
                return true;
            }
            std::optional<std::uint64_t> n = mini_redis::parse_memory(value);
            if (!n) return false;
            if ((flag == "--proto-max-bulk-len" || flag == "--max-bulk") && *n > 0 && *n <= (std::uint64_t{1} << 40)) {
                state->limits.max_bulk = *n;
            } else if (flag == "--client-query-buffer-limit" && *n > 0) {
                state->query_buffers.per_client = *n;
            } else if (flag == "--max-query-buffer-total") {
                state->query_buffers.total = *n;
            } else {
                return false;
            }
            return true;
        },
        "[--proto-max-bulk-len BYTES] [--client-query-buffer-limit BYTES] [--max-query-buffer-total BYTES] "
        "[--client-output-buffer-limit \"CLASS HARD SOFT SECONDS\"] [--maxclients N] [--timeout SECONDS]");
    state->maxclients = maxclients.value_or(args.max_connections);
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    pollen::net::ServeOptions options;  // SIGINT/SIGTERM, then two seconds to finish
    // maxclients as redis-server keeps it: read at each accept, so CONFIG SET
    // applies at once; past it, redis-server's own words, and a close.
    options.max_connections_source = std::shared_ptr<const std::atomic<std::size_t>>(state, &state->maxclients);
    options.reject_when_full = "-ERR max number of clients reached\r\n";
    // The expirer is a task of its own: it runs on whichever worker is free,
    // like any connection, and ends with the shutdown token.
    (void)rt.spawn(Expirer(state, options.shutdown));
    auto handler = [state, shutdown = options.shutdown](pollen::net::TcpStream stream, pollen::net::SocketAddr) {
        (void)stream.set_nodelay(true);  // replies are small and awaited one by one
        return mini_redis::Connection(std::move(stream), state, shutdown);
    };
    return samples::run_server(rt, args, "mini_redis", handler, options);
}
