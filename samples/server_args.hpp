#pragma once
// The command line and the main every server sample shares:
//
//     NAME [--port P] [--threads N] [--host A] [--max-connections N]
//          [--idle-timeout-ms MS] [sample-specific flags]
//
// P=0 picks a free port; the host is 127.0.0.1 unless told otherwise.
// --max-connections caps the clients served at once (0: no cap); run_server
// hands it to net::serve, and past it every sample turns newcomers away at
// once with its protocol's goodbye (ServeOptions::reject_when_full: a 503, a
// Redis error, a one-line notice, or a bare close; samples/README.md).
// --idle-timeout-ms is for the samples that time idle connections out: they
// give its default in `defaults.idle_timeout_ms`, and for the others the flag
// is unknown. A sample with flags of its own passes `extra`, called with each
// flag it does not know and its value; it returns false to reject them. A
// bad command line prints the usage and exits with status 2. `run_server` is
// the rest of the main: bind the address, start pollen::net::serve (the accept loop, the
// SIGINT/SIGTERM handlers and the drain), print `listening port=P` (flushed)
// for the scripts and tests that wait for it, and run until the drain ends.
#include <pollen.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace samples {

struct ServerArgs {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::size_t threads = 2;
    /// --max-connections: at most this many clients at once (0: no cap).
    std::size_t max_connections = 0;
    /// --idle-timeout-ms, where the sample has an idle timeout (nullopt:
    /// it has none, and the flag is refused); 0 turns it off.
    std::optional<std::uint64_t> idle_timeout_ms;

    /// The idle timeout as a Duration (zero: none).
    pollen::time::Duration idle_timeout() const {
        return std::chrono::milliseconds(idle_timeout_ms.value_or(0));
    }

    /// host:port as a socket address (IPv4 or IPv6 literal); nullopt if the
    /// host is not an address.
    std::optional<pollen::net::SocketAddr> address() const {
        auto ip = pollen::net::SocketAddr::parse(host + ":" + std::to_string(port));
        if (ip.is_err()) ip = pollen::net::SocketAddr::parse("[" + host + "]:" + std::to_string(port));
        if (ip.is_err()) return std::nullopt;
        return ip.value();
    }
};

/// Parses an unsigned decimal number no larger than `max`.
inline bool parse_uint(std::string_view s, std::uint64_t max, std::uint64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out <= max;
}

using ExtraFlag = std::function<bool(std::string_view flag, std::string_view value)>;

/// `defaults` holds the sample's port and, where it has them, its other
/// defaults (max_connections, idle_timeout_ms).
inline ServerArgs parse_server_args(int argc, char** argv, const char* name, ServerArgs defaults,
                                    const ExtraFlag& extra = {}, const char* extra_usage = "") {
    const bool has_idle = defaults.idle_timeout_ms.has_value();
    auto usage = [&](const char* why) {
        std::fprintf(stderr, "%s: %s\nusage: %s [--port P] [--threads N] [--host A] [--max-connections N]%s%s%s\n",
                     name, why, name, has_idle ? " [--idle-timeout-ms MS]" : "", *extra_usage ? " " : "",
                     extra_usage);
        std::exit(2);
    };
    ServerArgs a = std::move(defaults);
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") usage("help");
        if (i + 1 >= argc) usage("missing value after a flag");
        std::string_view value = argv[++i];
        std::uint64_t n = 0;
        if (flag == "--port" && parse_uint(value, 65535, n)) a.port = static_cast<std::uint16_t>(n);
        else if (flag == "--threads" && parse_uint(value, 1024, n) && n > 0) a.threads = n;
        else if (flag == "--host") a.host = value;
        else if (flag == "--max-connections" && parse_uint(value, 1'000'000, n)) a.max_connections = n;
        else if (flag == "--idle-timeout-ms" && has_idle && parse_uint(value, 86'400'000, n)) a.idle_timeout_ms = n;
        else if (!extra || !extra(flag, value)) usage("bad flag or value");
    }
    return a;
}

/// The same, for a sample whose only default is its port.
inline ServerArgs parse_server_args(int argc, char** argv, const char* name, std::uint16_t default_port,
                                    const ExtraFlag& extra = {}, const char* extra_usage = "") {
    ServerArgs defaults;
    defaults.port = default_port;
    return parse_server_args(argc, argv, name, std::move(defaults), extra, extra_usage);
}

/// Binds `args.address()`; on failure says why on stderr (prefixed with the
/// sample's `name`) and gives the exit status: 2 for a bad host, 1 otherwise.
inline pollen::Result<pollen::net::TcpListener, int> bind_listener(const ServerArgs& args, const char* name) {
    auto ip = args.address();
    if (!ip) {
        std::fprintf(stderr, "%s: bad host '%s'\n", name, args.host.c_str());
        return pollen::Err(2);
    }
    auto listener = pollen::net::TcpListener::bind(*ip);
    if (listener.is_err()) {
        std::fprintf(stderr, "%s: bind %s: %s\n", name, ip->to_string().c_str(),
                     listener.error().message().c_str());
        return pollen::Err(1);
    }
    return pollen::Ok(std::move(listener).value());
}

/// The rest of a server sample's main: binds `args` inside `rt`, serves
/// every connection with `handler(stream, peer)` (its future is the
/// connection's task) until SIGINT or SIGTERM, then drains as `options`
/// says. `args.max_connections` becomes the cap unless `options` has one;
/// past it newcomers are turned away with `options.reject_when_full`, or,
/// where the sample gives none, closed without a word. The signal handlers
/// go in before `listening port=P` is printed, so a signal sent right after
/// that line never meets the default (fatal) action. Says on stderr when the shutdown begins and how many connections
/// the grace period cut. The exit status: 0, or bind_listener's.
template <class Handler>
int run_server(pollen::Runtime& rt, const ServerArgs& args, const char* name, Handler handler,
               pollen::net::ServeOptions options = {}) {
    if (options.max_connections == 0 && !options.max_connections_source)
        options.max_connections = args.max_connections;
    // Past the cap a newcomer is turned away at once, never left waiting unseen in the backlog.
    if (!options.reject_when_full) options.reject_when_full = "";
    auto inside = rt.enter();  // the listener registers with rt's reactor
    auto listener = bind_listener(args, name);
    if (listener.is_err()) return listener.error();
    auto local = listener.value().local_addr();
    if (!options.on_shutdown) {
        options.on_shutdown = [name](int, std::size_t live) {
            std::fprintf(stderr, "%s: shutting down, %zu connection(s) open\n", name, live);
        };
    }
    auto server = pollen::net::serve(std::move(listener).value(), std::move(handler), std::move(options));
    if (server.is_err()) {
        std::fprintf(stderr, "%s: cannot listen for signals\n", name);
        return 1;
    }
    std::printf("listening port=%u\n", local.is_ok() ? unsigned(local.value().port()) : 0u);
    std::fflush(stdout);
    pollen::net::ServeSummary done = rt.block_on(std::move(server).value());
    if (done.aborted > 0)
        std::fprintf(stderr, "%s: %zu connection(s) still open after the grace period, aborted\n", name,
                     done.aborted);
    return 0;
}

}  // namespace samples
