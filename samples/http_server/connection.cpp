// connection: one client of http_server, the async fn of the header.
#include "connection.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include "http_date.hpp"
#include "response.hpp"

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;
namespace io = pollen::io;

namespace http_server {

namespace {
// Room in the read buffer beyond a whole head: a few pipelined requests
// behind it.
constexpr std::size_t kReadSlack = 16 * 1024;
// One read from the file and one write to the socket per chunk: the file is
// never in memory whole, and a slow client holds back only this much.
constexpr std::size_t kChunk = 128 * 1024;

/// The status line and headers, and the body when it is a string.
/// `keep_alive`: say that the connection is kept (to an HTTP/1.0 client,
/// which would otherwise assume it is not).
std::string head_of(const Reply& r, bool close, bool keep_alive, bool head_only) {
    std::string out;
    ResponseHead head;
    head.status = r.status;
    head.content_type = r.content_type;
    head.content_length = r.content_length;
    head.close = close;
    head.keep_alive = keep_alive;
    head.location = r.location;
    head.date = http_date_now();
    head.last_modified = r.last_modified;
    head.etag = r.etag;
    head.content_range = r.content_range;
    head.accept_ranges = r.accept_ranges;
    append_head(out, head);
    if (!head_only && !r.file) out += r.body;
    return out;
}
}  // namespace

HttpConnection::HttpConnection(pollen::net::TcpStream stream, std::shared_ptr<const std::filesystem::path> root,
                               const pollen::CancellationToken& shutdown, Timeouts timeouts, Limits limits)
    : requests_(Stream(std::move(stream), timeouts.write), RequestCodec(limits), limits.max_head + kReadSlack),
      root_(std::move(root)),
      shutdown_(shutdown.cancelled()),
      timeouts_(timeouts) {}

/// The codec's next request, or the end of the stream. Idle between
/// requests (nothing buffered, no body owed), a shutdown ends it too: the
/// connection leaves there, never inside a request. A wait past its
/// deadline ends it as well: a head that timed out as a 408 to answer,
/// anything else as the end of the stream.
auto HttpConnection::next_request() {
    return pollen::poll_fn([this](Context& cx) -> Poll<std::optional<Requests::Item>> {
        bool idle = requests_.read_buffer().empty() && !requests_.decoder().in_body();
        if (idle && shutdown_.poll(cx).is_ready()) return pollen::ready(std::optional<Requests::Item>());
        auto p = requests_.poll_next(cx);
        if (p.is_ready()) {
            waiting_ = Wait::kNothing;
            answered_any_ = true;
            return p;
        }
        if (!read_timed_out(cx)) return pollen::pending;
        Wait was = std::exchange(waiting_, Wait::kNothing);
        if (was != Wait::kHead) return pollen::ready(std::optional<Requests::Item>());
        return pollen::ready(std::optional<Requests::Item>(
            Requests::Item(pollen::Err(RequestError(ParseError{408, "the request head timed out"})))));
    });
}

HttpConnection::Wait HttpConnection::waiting_now() const {
    if (requests_.decoder().in_body()) return Wait::kBody;
    return requests_.read_buffer().empty() ? Wait::kIdle : Wait::kHead;
}

/// Sets the deadline when the wait changed kind (or a body made progress),
/// and polls it: true once it passed.
bool HttpConnection::read_timed_out(Context& cx) {
    Wait now = waiting_now();
    std::uint64_t body_left = requests_.decoder().body_left();
    // A fresh connection's first head has the deadline that began at the accept.
    bool first_head = now == Wait::kHead && waiting_ == Wait::kIdle && !answered_any_;
    if (first_head) {
        waiting_ = now;
    } else if (now != waiting_ || (now == Wait::kBody && body_left != body_left_)) {
        waiting_ = now;
        body_left_ = body_left;
        pollen::time::Duration limit = now == Wait::kIdle && answered_any_ ? timeouts_.idle : timeouts_.header;
        timer_armed_ = limit > pollen::time::Duration::zero();
        if (timer_armed_) {
            auto deadline = pollen::time::Instant::now() + limit;
            if (read_timer_) read_timer_->reset(deadline);
            else read_timer_.emplace(deadline);
        }
    }
    if (!timer_armed_) return false;
    // The read may have spent the task's budget; the deadline must still be
    // seen (as time::timeout does).
    pollen::coop::BudgetScope unconstrained(-1);
    return read_timer_->poll(cx).is_ready();
}

/// Half-closed: reads and drops until the client closes too (or resets),
/// or the server stops (then it does not wait). No request is decoded any
/// more: the read buffer (its first capacity, at least) takes what comes.
auto HttpConnection::drain_input() {
    return pollen::poll_fn([this](Context& cx) -> Poll<void> {
        for (;;) {
            pollen::codec::BytesMut& scratch = requests_.read_buffer_mut();
            scratch.clear();
            auto p = stream().poll_read(cx, scratch.spare_capacity_mut());
            if (p.is_pending()) return shutdown_.poll(cx);
            if (auto r = p.take(); r.is_err() || r.value() == 0) return pollen::ready();
        }
    });
}

Poll<HttpConnection::Output> HttpConnection::poll(Context& cx) {
    POLLEN_BEGIN(cx);
    for (;;) {
        POLLEN_LET(next_, next_request());
        if (!next_) POLLEN_RETURN(pollen::Ok());  // the client is done, or the server stops
        POLLEN_TRY(std::ignore, take(std::move(*next_)));  // a read error; a bad request is answered
        if (refuse_ != 0) reply_ = error_reply(refuse_);
        else POLLEN_LET(reply_, serve_static(root_, target_, head_only_, std::move(pre_)));

        out_ = head_of(reply_, !keep_alive_, echo_keep_alive_, head_only_);
        POLLEN_AWAIT_TRY(io::write_all(stream(), out_));
        remaining_ = reply_.file ? reply_.content_length : 0;
        while (remaining_ > 0) {
            POLLEN_LET_TRY(n_, io::read(*reply_.file, next_chunk()));
            // The file shrank under us: the promised Content-Length cannot be
            // kept, and closing is the only honest way to say so.
            if (n_ == 0) POLLEN_RETURN(pollen::Ok());
            remaining_ -= n_;
            POLLEN_AWAIT_TRY(io::write_all(stream(), std::span(chunk_.get(), n_)));
        }
        reply_.file.reset();  // closed now, not when the next request comes
        if (!keep_alive_) break;
    }
    // Closing politely: half-close (FIN), then read and drop until the client
    // closes too, or a second passes. Closing with unread input would send a
    // reset, which can destroy the answer before the client has read it.
    POLLEN_AWAIT_TRY(io::shutdown(stream()));
    POLLEN_AWAIT(pollen::race(drain_input(), pollen::time::sleep(1s)));
    POLLEN_RETURN(pollen::Ok());
    POLLEN_END;
}

/// Decides how to answer what the codec gave: `refuse_` an error status, or
/// look for `target_`. Err when reading failed: the connection is over.
io::Result<void> HttpConnection::take(Requests::Item next) {
    if (next.is_err()) {
        RequestError& err = next.error();
        if (err.status == 0) return pollen::Err(err.io);
        keep_alive_ = false;  // after a bad request the stream cannot be trusted
        echo_keep_alive_ = false;
        head_only_ = false;
        refuse_ = err.status;
        return pollen::Ok();
    }
    Request& req = next.value();
    keep_alive_ = req.keep_alive;
    echo_keep_alive_ = req.keep_alive && req.minor_version == 0;
    head_only_ = req.method == "HEAD";
    pre_ = Preconditions::of(req);
    refuse_ = req.method == "GET" || head_only_ ? 0 : 405;
    target_ = std::move(req.target);
    return pollen::Ok();
}

/// Where the next piece of the file goes.
std::span<std::byte> HttpConnection::next_chunk() {
    if (!chunk_) chunk_.reset(new std::byte[kChunk]);
    return {chunk_.get(), static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, remaining_))};
}

}  // namespace http_server
