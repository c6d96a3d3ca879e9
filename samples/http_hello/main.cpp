// http_hello: a minimal HTTP/1.1 server that answers "Hello, World!".
//
//     http_hello [--port P] [--threads N] [--host A]     (P=0 picks a free port)
//
// Keep-alive and pipelining: every complete request in the buffer is answered,
// in order, with one write. A head over 8 KiB gets 431, a malformed request
// line or header 400, and both close the connection, as does a request with
// `Connection: close` (or HTTP/1.0 without keep-alive) once it is answered.
// Prints `listening port=P` once ready; SIGINT/SIGTERM stop it (exit 0) after
// the open connections finish what they are doing, two seconds at most.
#include <pollen.hpp>

#include "../server_args.hpp"

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>

#include "http.hpp"

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;

namespace {

/// One client connection, the future of
///
///     async fn handle(mut stream: TcpStream, shutdown) -> io::Result<()> {
///         while !closing {
///             let n = stream.read(&mut buf[filled..]).await?;  // idle: a shutdown reads as 0
///             if n == 0 { return Ok(()) }
///             answer_buffered(&mut out);                        // each complete request, in order
///             stream.write_all(&out).await?;                    // one write for all of them
///         }
///         stream.shutdown().await?;                             // linger: FIN, then drop what comes
///         select! { _ = drain(&mut stream) => {}, _ = sleep(1s) => {} }
///         Ok(())
///     }
///
/// Closing is polite: after the last answer it half-closes (FIN) and reads
/// until the client closes too (or a second passes), so a request still in
/// flight cannot turn our close into a reset that would destroy the answer
/// before the client read it.
class HttpConnection : public pollen::Async<HttpConnection, pollen::io::Result<void>> {
public:
    HttpConnection(pollen::net::TcpStream stream, const pollen::CancellationToken& shutdown)
        : stream_(std::move(stream)), shutdown_(shutdown.cancelled()), in_(new char[kBufSize]) {}

    Poll<Output> poll(Context& cx);  // the body, below the class

private:
    static constexpr std::size_t kBufSize = http_hello::kMaxHead + 1024;

    /// Appends an answer for each complete request at the front of in_, then
    /// moves what is left (a partial request) to the start.
    void answer_buffered() {
        using Kind = http_hello::Parsed::Kind;
        std::size_t start = 0;
        while (!closing_) {
            if (skip_ > 0) {  // the body of the last request: not ours to read
                std::size_t n = std::min(skip_, filled_ - start);
                start += n;
                skip_ -= n;
                if (skip_ > 0) break;
            }
            auto req = http_hello::parse_request({in_.get() + start, filled_ - start});
            if (req.kind == Kind::Incomplete) break;
            closing_ = !req.keep_alive;
            http_hello::append_response(out_, req.status, req.head_only, closing_);
            start += req.head_len;
            skip_ = req.content_length;
        }
        if (start > 0) {
            std::memmove(in_.get(), in_.get() + start, filled_ - start);
            filled_ -= start;
        }
    }

    /// One read into the free end of the buffer. With nothing buffered, a
    /// shutdown reads as the end of the stream: the connection leaves between
    /// requests, never inside one.
    auto read_more() {
        return pollen::poll_fn([this](Context& cx) -> Poll<pollen::io::Result<std::size_t>> {
            if (filled_ == 0 && shutdown_.poll(cx).is_ready()) return pollen::ready(pollen::Ok(std::size_t{0}));
            return stream_.poll_read(cx, std::as_writable_bytes(std::span(in_.get() + filled_, kBufSize - filled_)));
        });
    }

    /// Half-closed: reads and drops until the client closes too (or resets),
    /// or the server stops (then it does not wait).
    auto drain_input() {
        return pollen::poll_fn([this](Context& cx) -> Poll<void> {
            for (;;) {
                auto p = stream_.poll_read(cx, std::as_writable_bytes(std::span(in_.get(), kBufSize)));
                if (p.is_pending()) return shutdown_.poll(cx);
                if (auto r = p.take(); r.is_err() || r.value() == 0) return pollen::ready();
            }
        });
    }

    pollen::net::TcpStream stream_;
    pollen::WaitForCancellation shutdown_;
    std::unique_ptr<char[]> in_;
    std::size_t filled_ = 0;
    std::size_t skip_ = 0;
    std::size_t n_ = 0;  // what the last read gave
    std::string out_;
    bool closing_ = false;
    POLLEN_FRAME;
};

Poll<HttpConnection::Output> HttpConnection::poll(Context& cx) {
    POLLEN_BEGIN(cx);
    while (!closing_) {
        POLLEN_LET_TRY(n_, read_more());
        if (n_ == 0) POLLEN_RETURN(pollen::Ok());  // the client is done, or the server stops
        filled_ += n_;
        answer_buffered();
        POLLEN_AWAIT_TRY(pollen::io::write_all(stream_, out_));
        out_.clear();
    }
    POLLEN_AWAIT_TRY(pollen::io::shutdown(stream_));
    POLLEN_AWAIT(pollen::race(drain_input(), pollen::time::sleep(1s)));
    POLLEN_RETURN(pollen::Ok());
    POLLEN_END;
}

/// Accepts connections and spawns an HttpConnection for each, until SIGINT or
/// SIGTERM; then drains. Ready with the process's exit status: the same
/// `async fn serve` as samples/http_server/main.cpp (accept_until_signalled
/// is its select loop over the signals, the listener and the ended connections).
class Server : public pollen::Async<Server, int> {
public:
    explicit Server(samples::ServerArgs args) : args_(std::move(args)) {}

    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        if (int status = start(); status != 0) POLLEN_RETURN(status);
        POLLEN_AWAIT(pollen::poll_fn([this](Context& c) { return accept_until_signalled(c); }));
        std::fprintf(stderr, "http_hello: shutting down, %zu connection(s) open\n", conns_.len());
        listener_.reset();
        shutdown_.cancel();
        // Two seconds for the connections to finish what they are doing.
        POLLEN_LET(std::ignore, pollen::time::timeout(2s, pollen::poll_fn([this](Context& c) { return join_all(c); })));
        if (!conns_.is_empty())
            std::fprintf(stderr, "http_hello: %zu connection(s) still open, aborting them\n", conns_.len());
        POLLEN_RETURN(0);
        POLLEN_END;
    }

private:
    int start() {
        // Signals first: one sent right after `listening` must not find the default action.
        auto sigint = pollen::signal::signal(SIGINT);
        auto sigterm = pollen::signal::signal(SIGTERM);
        if (sigint.is_err() || sigterm.is_err()) {
            std::fprintf(stderr, "http_hello: cannot listen for signals\n");
            return 1;
        }
        sigint_.emplace(std::move(sigint).value());
        sigterm_.emplace(std::move(sigterm).value());

        auto listener = samples::bind_listener(args_, "http_hello");
        if (listener.is_err()) return listener.error();
        listener_.emplace(std::move(listener).value());
        samples::announce_listening(*listener_);
        return 0;
    }

    Poll<void> accept_until_signalled(Context& cx) {
        (void)join_all(cx);  // so the set holds live connections only
        bool hit = sigint_->poll_recv(cx).is_ready();
        if (sigterm_->poll_recv(cx).is_ready() || hit) return pollen::ready();
        for (;;) {
            auto p = listener_->poll_accept(cx);
            if (p.is_pending()) return pollen::pending;
            auto r = p.take();
            if (r.is_err()) {
                std::fprintf(stderr, "http_hello: accept: %s\n", r.error().message().c_str());
                continue;
            }
            pollen::net::TcpStream& stream = r.value().first;
            (void)stream.set_nodelay(true);
            // A connection's error (a reset, a vanished client) ends that connection only.
            conns_.spawn(HttpConnection(std::move(stream), shutdown_).map([](auto) {}));
        }
    }

    /// Ready once every connection has ended; each poll collects those that have.
    Poll<void> join_all(Context& cx) {
        while (!conns_.is_empty())
            if (conns_.poll_join_next(cx).is_pending()) return pollen::pending;
        return pollen::ready();
    }

    samples::ServerArgs args_;
    std::optional<pollen::signal::Signal> sigint_, sigterm_;
    std::optional<pollen::net::TcpListener> listener_;
    pollen::CancellationToken shutdown_;
    pollen::JoinSet<void> conns_;
    POLLEN_FRAME;
};

}  // namespace

int main(int argc, char** argv) {
    samples::ServerArgs args = samples::parse_server_args(argc, argv, "http_hello", 8080);
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    return rt.block_on(Server(std::move(args)));
}
