// http_server: a static file server, HTTP/1.1 from scratch on pollen.
//
//     http_server [--root DIR] [--port P] [--threads N] [--host A]   (P=0 picks a free port)
//
// GET and HEAD of the files under DIR (default "."): keep-alive and
// pipelining, Content-Type by extension, index.html or a generated listing
// for folders, files streamed in chunks through pollen::fs. Refuses what a
// public server must: heads over 8 KiB (431), bodies over 1 MiB (413),
// malformed requests (400), other methods (405), and any path leading out of
// DIR (403 for "..", 404 for a symlink pointing out).
//
// The pieces, each in its own file: request_parser (pure, fuzzable),
// request_codec (the parser as a codec::Decoder: request heads out, bodies
// dropped), target_path (request target → safe relative path), static_files
// (the pollen::fs chain that finds the answer), connection (one client, an
// async body reading through a codec::FramedRead), and below, the accept loop with its graceful shutdown, the same
// as samples/echo_server.cpp: on SIGINT or SIGTERM it stops accepting, lets
// each connection finish the answer it is sending (two seconds at most), and
// exits 0.
#include <pollen.hpp>

#include "../server_args.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>

#include "connection.hpp"

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;

namespace {

/// Accepts connections and spawns an HttpConnection for each, until SIGINT
/// or SIGTERM; then drains. Ready with the process's exit status. In Rust:
///
///     let listener = bind(&args)?;                         // the signals first: see start()
///     loop { select! {                                     // accept_until_signalled: a select
///         _ = signalled() => break,                        // over three sources, kept as a
///         Ok((c, _)) = listener.accept() => conns.spawn(handle(c)),  // hand-written poll
///         Some(_) = conns.join_next() => {}                // a connection ended
///     } }
///     drop(listener); shutdown.cancel();
///     let _ = timeout(2s, conns.join_all()).await;         // then the JoinSet aborts the rest
///     0
class Server : public pollen::Async<Server, int> {
public:
    Server(samples::ServerArgs args, std::filesystem::path root)
        : args_(std::move(args)), root_(std::make_shared<const std::filesystem::path>(std::move(root))) {}

    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        if (int status = start(); status != 0) POLLEN_RETURN(status);
        POLLEN_AWAIT(pollen::poll_fn([this](Context& c) { return accept_until_signalled(c); }));
        std::fprintf(stderr, "http_server: shutting down, %zu connection(s) open\n", conns_.len());
        listener_.reset();  // new clients are refused from now on
        shutdown_.cancel();
        // Two seconds for the connections to finish the answers they are sending.
        POLLEN_LET(std::ignore, pollen::time::timeout(2s, pollen::poll_fn([this](Context& c) { return join_all(c); })));
        if (!conns_.is_empty())
            std::fprintf(stderr, "http_server: %zu connection(s) still open, aborting them\n", conns_.len());
        POLLEN_RETURN(0);  // the JoinSet aborts the rest when it is destroyed
        POLLEN_END;
    }

private:
    int start() {
        // Signals first: one sent right after `listening` must not find the default action.
        auto sigint = pollen::signal::signal(SIGINT);
        auto sigterm = pollen::signal::signal(SIGTERM);
        if (sigint.is_err() || sigterm.is_err()) {
            std::fprintf(stderr, "http_server: cannot listen for signals\n");
            return 1;
        }
        sigint_.emplace(std::move(sigint).value());
        sigterm_.emplace(std::move(sigterm).value());

        auto listener = samples::bind_listener(args_, "http_server");
        if (listener.is_err()) return listener.error();
        listener_.emplace(std::move(listener).value());
        std::fprintf(stderr, "http_server: serving %s\n", root_->c_str());
        samples::announce_listening(*listener_);
        return 0;
    }

    /// The select loop: accepts clients and collects the connections that
    /// ended, until SIGINT or SIGTERM.
    Poll<void> accept_until_signalled(Context& cx) {
        (void)join_all(cx);  // so the set holds live connections only, and its count is right
        bool hit = sigint_->poll_recv(cx).is_ready();
        if (sigterm_->poll_recv(cx).is_ready() || hit) return pollen::ready();
        for (;;) {
            auto p = listener_->poll_accept(cx);
            if (p.is_pending()) return pollen::pending;
            auto r = p.take();
            if (r.is_err()) {
                std::fprintf(stderr, "http_server: accept: %s\n", r.error().message().c_str());
                continue;
            }
            pollen::net::TcpStream& stream = r.value().first;
            (void)stream.set_nodelay(true);  // a pipelined answer should not wait for the next
            // A connection's error (a reset, a vanished client) ends that connection only.
            conns_.spawn(http_server::HttpConnection(std::move(stream), root_, shutdown_).map([](auto) {}));
        }
    }

    /// Ready once every connection has ended; each poll collects those that have.
    Poll<void> join_all(Context& cx) {
        while (!conns_.is_empty())
            if (conns_.poll_join_next(cx).is_pending()) return pollen::pending;
        return pollen::ready();
    }

    samples::ServerArgs args_;
    std::shared_ptr<const std::filesystem::path> root_;
    std::optional<pollen::signal::Signal> sigint_, sigterm_;
    std::optional<pollen::net::TcpListener> listener_;
    pollen::CancellationToken shutdown_;
    pollen::JoinSet<void> conns_;
    POLLEN_FRAME;
};

}  // namespace

int main(int argc, char** argv) {
    std::string root_arg = ".";
    samples::ServerArgs args = samples::parse_server_args(
        argc, argv, "http_server", 8080,
        [&](std::string_view flag, std::string_view value) {
            if (flag != "--root") return false;
            root_arg = value;
            return true;
        },
        "[--root DIR]");
    // Once, at startup, so every request compares against the real path.
    std::error_code ec;
    std::filesystem::path root = std::filesystem::canonical(root_arg, ec);
    if (ec || !std::filesystem::is_directory(root, ec)) {
        std::fprintf(stderr, "http_server: --root %s is not a folder\n", root_arg.c_str());
        return 2;
    }
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    return rt.block_on(Server(std::move(args), std::move(root)));
}
