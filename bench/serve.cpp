// `pollen-bench serve echo|http --port P [--threads N]` (SCENARIOS.md, Network):
// bind 127.0.0.1:P, print `listening port=P`, accept until SIGINT/SIGTERM,
// one task per connection. Mirrors the Tokio anchor's `serve` (net.rs).
#include "serve.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "cli.hpp"
#include "registry.hpp"

namespace pollen::bench::serve {

namespace {

using Spawn = void (*)(net::TcpStream);

/// TcpListener::bind, but the socket is registered with the reactor only once
/// it listens: registered earlier (as net/ does today), an idle worker's
/// epoll_wait may catch the unconnected socket's EPOLLHUP, which ScheduledIo
/// keeps for good, and accept then spins on EAGAIN. Replace with
/// TcpListener::bind once net/ registers after listen().
io::Result<net::TcpListener> bind_listener(const net::SocketAddr& addr) {
    int fd = ::socket(addr.domain(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Err(std::error_code(errno, std::generic_category()));
    int one = 1;
    sockaddr_storage ss;
    socklen_t len = addr.to_sockaddr(ss);
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        ::bind(fd, reinterpret_cast<const sockaddr*>(&ss), len) < 0 || ::listen(fd, 1024) < 0) {
        std::error_code ec(errno, std::generic_category());
        ::close(fd);
        return Err(ec);
    }
    return net::TcpListener::from_fd(fd);
}

/// The accept loop, raced against the two signals. Ready with the exit status.
class Serve : public FutureExt<Serve> {
public:
    using Output = int;
    Serve(std::uint16_t port, Spawn spawn) : port_(port), spawn_(spawn) {}

    Poll<int> poll(Context& cx) {
        if (!listener_) {
            if (int status = start(); status != 0) return Ready<int>{status};
        }
        if (sigterm_->poll_recv(cx).is_ready()) return stop("SIGTERM");
        if (sigint_->poll_recv(cx).is_ready()) return stop("SIGINT");
        for (;;) {
            auto p = listener_->poll_accept(cx);
            if (p.is_pending()) return pending;
            auto r = p.take();
            if (r.is_err()) {
                // The listener itself backs off when descriptors run out.
                std::fprintf(stderr, "pollen-bench: accept: %s\n", r.error().message().c_str());
                continue;
            }
            (void)r.value().first.set_nodelay(true);
            spawn_(std::move(r.value().first));
        }
    }

private:
    int start() {
        // The handlers go in before `listening` is printed, so a signal sent
        // right after it never meets the default (fatal) action.
        auto term = pollen::signal::signal(SIGTERM);
        auto intr = pollen::signal::signal(SIGINT);
        if (term.is_err() || intr.is_err()) {
            std::fprintf(stderr, "pollen-bench: serve: cannot listen for signals\n");
            return 1;
        }
        sigterm_.emplace(std::move(term).value());
        sigint_.emplace(std::move(intr).value());
        auto l = bind_listener(net::SocketAddr(net::IpAddr::localhost_v4(), port_));
        if (l.is_err()) {
            std::fprintf(stderr, "pollen-bench: serve: bind 127.0.0.1:%u: %s\n", unsigned(port_),
                         l.error().message().c_str());
            return 1;
        }
        listener_.emplace(std::move(l).value());
        auto local = listener_->local_addr();
        if (local.is_err()) {
            std::fprintf(stderr, "pollen-bench: serve: local_addr: %s\n", local.error().message().c_str());
            return 1;
        }
        std::printf("listening port=%u\n", unsigned(local.value().port()));
        std::fflush(stdout);
        return 0;
    }

    Poll<int> stop(const char* which) {
        std::fprintf(stderr, "pollen-bench: %s, shutting down\n", which);
        return Ready<int>{0};
    }

    std::uint16_t port_;
    Spawn spawn_;
    std::optional<signal::Signal> sigterm_, sigint_;
    std::optional<net::TcpListener> listener_;
};

int cmd_serve(std::span<const std::string> args) {
    if (args.empty()) die(2, "serve: missing kind (echo or http)");
    Spawn spawn = nullptr;
    if (args[0] == "echo") spawn = spawn_echo;
    else if (args[0] == "http") spawn = spawn_http;
    else die(2, "serve: unknown kind '" + args[0] + "' (echo or http)");

    static constexpr std::array<std::string_view, 2> kAllowed{"port", "threads"};
    auto [flags, error] = Flags::parse(args.subspan(1), kAllowed);
    if (!flags) die(2, "serve: " + error);
    auto port = static_cast<std::uint16_t>(flags->uint("port", std::nullopt, 0, 65535, error));
    std::size_t threads = flags->uint("threads", default_threads(), 1, 4096, error);
    if (!error.empty()) die(2, "serve: " + error);

    int status;
    {
        // Without the debug-only lost-waker counting, as in bench/main.cpp.
        Runtime rt =
            Builder::new_multi_thread().worker_threads(threads).enable_all().detect_lost_wakers(false).build();
        status = rt.block_on(Serve(port, spawn));
        // Connections still open are dropped with the runtime, as the anchor's
        // shutdown_timeout does.
        rt.shutdown_timeout(std::chrono::milliseconds(500));
    }
    return status;
}

const RegisterCommand kServe{{"serve", "serve echo|http --port P [--threads N]", cmd_serve}};

}  // namespace

}  // namespace pollen::bench::serve
