// echo_server: a concurrent TCP echo server, one task per connection, with a
// graceful shutdown on Ctrl-C (SIGINT) or SIGTERM.
//
//     echo_server [--port P] [--threads N] [--host A]     (P=0 picks a free port)
//
// Prints `listening port=P` on stdout once it accepts connections. On a
// signal it stops accepting, asks every connection to finish (each one ends
// after the echo it is writing, at its next wait for input), waits up to two
// seconds for them, and exits 0.
//
// The two futures below are the state machines that `async fn`s would be in
// Rust: Server accepts and watches the signals, EchoConnection loops
// read -> write back. Neither is moved after its first poll.
#include <pollen.hpp>

#include "server_args.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;

namespace {


/// One client: reads into a buffer and writes every byte back, until the
/// peer closes, an error, or the shutdown token (checked only when nothing is
/// left to write, so an echo is never cut in half).
class EchoConnection : public pollen::FutureExt<EchoConnection> {
public:
    using Output = void;

    EchoConnection(pollen::net::TcpStream stream, const pollen::CancellationToken& shutdown)
        : stream_(std::move(stream)), shutdown_(shutdown.cancelled()), buf_(new std::byte[kBufSize]) {}

    Poll<void> poll(Context& cx) {
        for (;;) {
            while (written_ < filled_) {
                auto p = stream_.poll_write(cx, {buf_.get() + written_, filled_ - written_});
                if (p.is_pending()) return pollen::pending;
                auto r = p.take();
                if (r.is_err() || r.value() == 0) return pollen::ready();
                written_ += r.value();
            }
            if (shutdown_.poll(cx).is_ready()) return pollen::ready();
            auto p = stream_.poll_read(cx, {buf_.get(), kBufSize});
            if (p.is_pending()) return pollen::pending;
            auto r = p.take();
            if (r.is_err() || r.value() == 0) return pollen::ready();  // reset, or end of stream
            filled_ = r.value();
            written_ = 0;
        }
    }

private:
    static constexpr std::size_t kBufSize = 16 * 1024;
    pollen::net::TcpStream stream_;
    pollen::WaitForCancellation shutdown_;
    std::unique_ptr<std::byte[]> buf_;
    std::size_t filled_ = 0, written_ = 0;
};

/// Accepts connections and spawns an EchoConnection for each, until SIGINT
/// or SIGTERM; then drains. Ready with the process's exit status.
class Server : public pollen::FutureExt<Server> {
public:
    using Output = int;

    explicit Server(samples::ServerArgs args) : args_(std::move(args)) {}

    Poll<int> poll(Context& cx) {
        if (!started_) {
            started_ = true;
            if (int status = start(); status != 0) return pollen::Ready<int>{status};
        }
        if (!grace_) {
            if (!signalled(cx)) {
                accept_all(cx);
                return pollen::pending;
            }
            std::fprintf(stderr, "echo_server: shutting down, %zu connection(s) open\n", conns_.len());
            listener_.reset();  // new clients are refused from now on
            shutdown_.cancel();
            grace_.emplace(pollen::time::sleep(2s));
        }
        // Draining: collect the connections as they end, within the grace period.
        for (;;) {
            auto p = conns_.poll_join_next(cx);
            if (p.is_pending()) break;
            if (!p.value()) return pollen::Ready<int>{0};
        }
        if (grace_->poll(cx).is_pending()) return pollen::pending;
        std::fprintf(stderr, "echo_server: %zu connection(s) still open, aborting them\n", conns_.len());
        return pollen::Ready<int>{0};  // the JoinSet aborts the rest when it is destroyed
    }

private:
    int start() {
        // Listen for the signals before announcing readiness: a signal sent right
        // after `listening` must find our handler, not the default (fatal) one.
        auto sigint = pollen::signal::signal(SIGINT);
        auto sigterm = pollen::signal::signal(SIGTERM);
        if (sigint.is_err() || sigterm.is_err()) {
            std::fprintf(stderr, "echo_server: cannot listen for signals\n");
            return 1;
        }
        sigint_.emplace(std::move(sigint).value());
        sigterm_.emplace(std::move(sigterm).value());

        auto listener = samples::bind_listener(args_, "echo_server");
        if (listener.is_err()) return listener.error();
        listener_.emplace(std::move(listener).value());
        samples::announce_listening(*listener_);
        return 0;
    }

    bool signalled(Context& cx) {
        bool hit = sigint_->poll_recv(cx).is_ready();
        return sigterm_->poll_recv(cx).is_ready() || hit;
    }

    void accept_all(Context& cx) {
        // Reap finished connections so the set only holds live ones.
        while (!conns_.is_empty()) {
            auto p = conns_.poll_join_next(cx);
            if (p.is_pending()) break;
        }
        for (;;) {
            auto p = listener_->poll_accept(cx);
            if (p.is_pending()) return;
            auto r = p.take();
            if (r.is_err()) {
                // The listener already backs off on EMFILE; anything else is per-connection.
                std::fprintf(stderr, "echo_server: accept: %s\n", r.error().message().c_str());
                continue;
            }
            pollen::net::TcpStream& stream = r.value().first;
            (void)stream.set_nodelay(true);  // echoes are small: do not wait to batch them
            conns_.spawn(EchoConnection(std::move(stream), shutdown_));
        }
    }

    samples::ServerArgs args_;
    bool started_ = false;
    std::optional<pollen::signal::Signal> sigint_, sigterm_;
    std::optional<pollen::net::TcpListener> listener_;
    pollen::CancellationToken shutdown_;
    pollen::JoinSet<void> conns_;
    std::optional<pollen::time::Sleep> grace_;
};

}  // namespace

int main(int argc, char** argv) {
    samples::ServerArgs args = samples::parse_server_args(argc, argv, "echo_server", 7000);
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    return rt.block_on(Server(std::move(args)));
}
