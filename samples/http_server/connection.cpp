// connection: the per-client state machine of http_server (see the header).
#include "connection.hpp"

#include <algorithm>
#include <cstring>
#include <span>
#include <variant>

#include "response.hpp"

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;

namespace http_server {

namespace {
// Big enough for a whole head plus a few pipelined requests behind it.
constexpr std::size_t kReadSlack = 16 * 1024;
// One read from the file and one write to the socket per chunk: the file is
// never in memory whole, and a slow client holds back only this much.
constexpr std::size_t kChunk = 128 * 1024;
}  // namespace

HttpConnection::HttpConnection(pollen::net::TcpStream stream, std::shared_ptr<const std::filesystem::path> root,
                               const pollen::CancellationToken& shutdown, Limits limits)
    : stream_(std::move(stream)),
      root_(std::move(root)),
      shutdown_(shutdown.cancelled()),
      limits_(limits),
      in_(new char[limits.max_head + kReadSlack]),
      in_cap_(limits.max_head + kReadSlack) {}

Poll<void> HttpConnection::poll(Context& cx) {
    for (;;) {
        Step step = Step::Done;
        switch (state_) {
            case State::ReadHead: step = read_head(cx); break;
            case State::Resolve: step = resolve(cx); break;
            case State::WriteHead: step = write_head(cx); break;
            case State::SendFile: step = send_file(cx); break;
            case State::Linger: step = linger(cx); break;
        }
        if (step == Step::Pending) return pollen::pending;
        if (step == Step::Done) return pollen::ready();
    }
}

void HttpConnection::consume(std::size_t n) {
    std::memmove(in_.get(), in_.get() + n, filled_ - n);
    filled_ -= n;
}

HttpConnection::Step HttpConnection::read_head(Context& cx) {
    for (;;) {
        if (skip_ > 0 && filled_ > 0) {  // the last request's body: read, not kept
            std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, filled_));
            consume(n);
            skip_ -= n;
        }
        if (skip_ == 0 && filled_ > 0) {
            auto outcome = parse_request({in_.get(), filled_}, limits_);
            if (auto* req = std::get_if<Request>(&outcome)) {
                consume(req->consumed);
                skip_ = req->content_length;
                start(*req);
                return Step::Continue;
            }
            if (auto* err = std::get_if<ParseError>(&outcome)) {
                keep_alive_ = false;  // after a bad request the stream cannot be trusted
                head_only_ = false;
                reply(error_reply(err->status));
                return Step::Continue;
            }
        }
        // Shutting down: leave between requests, never inside one.
        if (filled_ == 0 && skip_ == 0 && shutdown_.poll(cx).is_ready()) return Step::Done;
        // NeedMore means fewer than max_head bytes are buffered: there is room.
        auto p = stream_.poll_read(cx, std::as_writable_bytes(std::span(in_.get() + filled_, in_cap_ - filled_)));
        if (p.is_pending()) return Step::Pending;
        auto r = p.take();
        if (r.is_err() || r.value() == 0) return Step::Done;  // reset, or the client is done
        filled_ += r.value();
    }
}

void HttpConnection::start(const Request& req) {
    keep_alive_ = req.keep_alive;
    head_only_ = req.method == "HEAD";
    if (req.method != "GET" && req.method != "HEAD") {
        reply(error_reply(405));
        return;
    }
    resolving_.emplace(serve_static(root_, req.target, head_only_));
    state_ = State::Resolve;
}

HttpConnection::Step HttpConnection::resolve(Context& cx) {
    auto p = resolving_->poll(cx);
    if (p.is_pending()) return Step::Pending;
    resolving_.reset();
    reply(p.take());
    return Step::Continue;
}

void HttpConnection::reply(Reply r) {
    out_.clear();
    written_ = 0;
    append_head(out_, ResponseHead{r.status, r.content_type, r.content_length, !keep_alive_, r.location});
    if (!head_only_ && !r.file) out_ += r.body;
    file_ = std::move(r.file);
    remaining_ = file_ ? r.content_length : 0;
    state_ = State::WriteHead;
}

HttpConnection::Step HttpConnection::write_head(Context& cx) {
    while (written_ < out_.size()) {
        auto p = stream_.poll_write(cx, std::as_bytes(std::span(out_).subspan(written_)));
        if (p.is_pending()) return Step::Pending;
        auto r = p.take();
        if (r.is_err() || r.value() == 0) return Step::Done;
        written_ += r.value();
    }
    if (file_) {
        if (!chunk_) chunk_.reset(new std::byte[kChunk]);
        chunk_len_ = chunk_written_ = 0;
        state_ = State::SendFile;
        return Step::Continue;
    }
    return finish_response();
}

HttpConnection::Step HttpConnection::send_file(Context& cx) {
    for (;;) {
        while (chunk_written_ < chunk_len_) {
            auto p = stream_.poll_write(cx, {chunk_.get() + chunk_written_, chunk_len_ - chunk_written_});
            if (p.is_pending()) return Step::Pending;
            auto r = p.take();
            if (r.is_err() || r.value() == 0) return Step::Done;
            chunk_written_ += r.value();
        }
        if (remaining_ == 0) {
            file_.reset();
            return finish_response();
        }
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, remaining_));
        auto p = file_->poll_read(cx, {chunk_.get(), want});
        if (p.is_pending()) return Step::Pending;
        auto r = p.take();
        // The file shrank or failed under us: the promised Content-Length
        // cannot be kept, and closing is the only honest way to say so.
        if (r.is_err() || r.value() == 0) return Step::Done;
        chunk_len_ = r.value();
        chunk_written_ = 0;
        remaining_ -= chunk_len_;
    }
}

HttpConnection::Step HttpConnection::finish_response() {
    state_ = keep_alive_ ? State::ReadHead : State::Linger;
    return Step::Continue;
}

// Closing politely: half-close (FIN), then read and drop until the client
// closes too, or a second passes. Closing with unread input would send a
// reset, which can destroy the answer before the client has read it.
HttpConnection::Step HttpConnection::linger(Context& cx) {
    if (!linger_) {
        auto p = stream_.poll_shutdown(cx);
        if (p.is_pending()) return Step::Pending;
        if (p.take().is_err()) return Step::Done;
        linger_.emplace(pollen::time::sleep(1s));
    }
    for (;;) {
        auto p = stream_.poll_read(cx, std::as_writable_bytes(std::span(in_.get(), in_cap_)));
        if (p.is_pending()) break;
        auto r = p.take();
        if (r.is_err() || r.value() == 0) return Step::Done;
    }
    if (shutdown_.poll(cx).is_ready()) return Step::Done;  // the server is stopping: do not wait
    return linger_->poll(cx).is_ready() ? Step::Done : Step::Pending;
}

}  // namespace http_server
