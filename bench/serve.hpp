#pragma once
/// `pollen-bench serve echo|http`: the servers of SCENARIOS.md's Network
/// section. serve.cpp reads the command line and picks the kind; each kind's
/// connection future lives in its own file and hands it to `run`, which is
/// the server: pollen::net::serve on 127.0.0.1:port until SIGINT/SIGTERM.

#include <pollen.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace pollen::bench::serve {

struct Config {
    std::uint16_t port = 0;
    std::size_t threads = 1;
};

/// Echoes every byte of every connection back (serve_echo.cpp).
int serve_echo(const Config& config);
/// Answers HTTP/1.1 GETs (serve_http.cpp).
int serve_http(const Config& config);

/// Binds 127.0.0.1:port, prints `listening port=P`, runs one task
/// `make_connection(stream)` per connection until SIGINT or SIGTERM; gives
/// the exit status. Connections still open then are dropped at once (no
/// grace), as the Tokio anchor's runtime shutdown drops them.
template <class Make>
int run(const Config& config, Make make_connection) {
    // Without the debug-only lost-waker counting, as in bench/main.cpp.
    Runtime rt =
        Builder::new_multi_thread().worker_threads(config.threads).enable_all().detect_lost_wakers(false).build();
    {
        auto inside = rt.enter();  // the listener registers with rt's reactor
        auto listener = net::TcpListener::bind(net::SocketAddr(net::IpAddr::localhost_v4(), config.port));
        if (listener.is_err()) {
            std::fprintf(stderr, "pollen-bench: serve: bind 127.0.0.1:%u: %s\n", unsigned(config.port),
                         listener.error().message().c_str());
            return 1;
        }
        auto local = listener.value().local_addr();
        if (local.is_err()) {
            std::fprintf(stderr, "pollen-bench: serve: local_addr: %s\n", local.error().message().c_str());
            return 1;
        }
        net::ServeOptions options;
        options.grace = std::chrono::seconds(0);
        options.on_shutdown = [](int signo, std::size_t) {
            std::fprintf(stderr, "pollen-bench: %s, shutting down\n", signo == SIGTERM ? "SIGTERM" : "SIGINT");
        };
        auto server = net::serve(
            std::move(listener).value(),
            [make_connection](net::TcpStream stream, net::SocketAddr) {
                (void)stream.set_nodelay(true);
                return make_connection(std::move(stream));
            },
            std::move(options));
        if (server.is_err()) {
            std::fprintf(stderr, "pollen-bench: serve: cannot listen for signals\n");
            return 1;
        }
        std::printf("listening port=%u\n", unsigned(local.value().port()));
        std::fflush(stdout);
        (void)rt.block_on(std::move(server).value());
    }
    rt.shutdown_timeout(std::chrono::milliseconds(500));  // blocking closures, if any
    return 0;
}

}  // namespace pollen::bench::serve
