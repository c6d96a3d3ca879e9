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

#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "http.hpp"

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;

namespace {


/// One client connection: read, answer every complete request, write the
/// answers, repeat. Closing is polite: after the last answer it half-closes
/// (FIN) and reads until the client closes too (or a second passes), so a
/// request still in flight cannot turn our close into a reset that would
/// destroy the answer before the client read it.
class HttpConnection : public pollen::FutureExt<HttpConnection> {
public:
    using Output = void;

    HttpConnection(pollen::net::TcpStream stream, const pollen::CancellationToken& shutdown)
        : stream_(std::move(stream)), shutdown_(shutdown.cancelled()), in_(new char[kBufSize]) {}

    Poll<void> poll(Context& cx) {
        for (;;) {
            while (written_ < out_.size()) {
                auto p = stream_.poll_write(cx, std::as_bytes(std::span(out_).subspan(written_)));
                if (p.is_pending()) return pollen::pending;
                auto r = p.take();
                if (r.is_err() || r.value() == 0) return pollen::ready();
                written_ += r.value();
            }
            out_.clear();
            written_ = 0;
            if (closing_) return linger(cx);
            // Shutting down: leave between requests, never inside one.
            if (filled_ == 0 && shutdown_.poll(cx).is_ready()) return pollen::ready();

            auto p = stream_.poll_read(cx, std::as_writable_bytes(std::span(in_.get() + filled_, kBufSize - filled_)));
            if (p.is_pending()) return pollen::pending;
            auto r = p.take();
            if (r.is_err() || r.value() == 0) return pollen::ready();
            filled_ += r.value();
            answer_buffered();
        }
    }

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

    /// Half-closed: discard input until the client closes, an error, or 1 s.
    Poll<void> linger(Context& cx) {
        if (!linger_) {
            auto p = stream_.poll_shutdown(cx);
            if (p.is_pending()) return pollen::pending;
            if (p.take().is_err()) return pollen::ready();
            linger_.emplace(pollen::time::sleep(1s));
        }
        for (;;) {
            auto p = stream_.poll_read(cx, std::as_writable_bytes(std::span(in_.get(), kBufSize)));
            if (p.is_pending()) break;
            auto r = p.take();
            if (r.is_err() || r.value() == 0) return pollen::ready();
        }
        if (shutdown_.poll(cx).is_ready()) return pollen::ready();  // the server is stopping: do not wait
        return linger_->poll(cx);
    }

    pollen::net::TcpStream stream_;
    pollen::WaitForCancellation shutdown_;
    std::unique_ptr<char[]> in_;
    std::size_t filled_ = 0;
    std::size_t skip_ = 0;
    std::string out_;
    std::size_t written_ = 0;
    bool closing_ = false;
    std::optional<pollen::time::Sleep> linger_;
};

/// Accepts connections and spawns an HttpConnection for each, until SIGINT or
/// SIGTERM; then drains. Ready with the process's exit status.
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
            std::fprintf(stderr, "http_hello: shutting down, %zu connection(s) open\n", conns_.len());
            listener_.reset();
            shutdown_.cancel();
            grace_.emplace(pollen::time::sleep(2s));
        }
        for (;;) {
            auto p = conns_.poll_join_next(cx);
            if (p.is_pending()) break;
            if (!p.value()) return pollen::Ready<int>{0};
        }
        if (grace_->poll(cx).is_pending()) return pollen::pending;
        std::fprintf(stderr, "http_hello: %zu connection(s) still open, aborting them\n", conns_.len());
        return pollen::Ready<int>{0};
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

    bool signalled(Context& cx) {
        bool hit = sigint_->poll_recv(cx).is_ready();
        return sigterm_->poll_recv(cx).is_ready() || hit;
    }

    void accept_all(Context& cx) {
        while (!conns_.is_empty()) {
            auto p = conns_.poll_join_next(cx);
            if (p.is_pending()) break;
        }
        for (;;) {
            auto p = listener_->poll_accept(cx);
            if (p.is_pending()) return;
            auto r = p.take();
            if (r.is_err()) {
                std::fprintf(stderr, "http_hello: accept: %s\n", r.error().message().c_str());
                continue;
            }
            pollen::net::TcpStream& stream = r.value().first;
            (void)stream.set_nodelay(true);
            conns_.spawn(HttpConnection(std::move(stream), shutdown_));
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
    samples::ServerArgs args = samples::parse_server_args(argc, argv, "http_hello", 8080);
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    return rt.block_on(Server(std::move(args)));
}
