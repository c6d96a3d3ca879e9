// Connection: a mini_redis client's answer / deliver / write loop
// (see connection.hpp).
#include "connection.hpp"

#include <span>

#include "commands.hpp"

using namespace std::chrono_literals;

namespace mini_redis {

Connection::Connection(pollen::net::TcpStream stream, std::shared_ptr<State> state,
                       const pollen::CancellationToken& shutdown)
    : frames_(std::move(stream), ServerCodec(state->limits, &state->query_buffers)),
      state_(std::move(state)),
      shutdown_(shutdown.cancelled()),
      idle_(std::chrono::seconds(state_->timeout_seconds.load(std::memory_order_relaxed))) {
    session_.id = state_->next_client_id.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
    if (!state_) return;  // moved from
    // Out of the registry before the Outbox goes with the Session.
    if (session_.subscribed()) state_->pubsub.remove(*session_.outbox, session_.subscriptions, session_.patterns);
}

// async fn run(&mut self) -> io::Result<()> {
//     loop {
//         if !self.write().await? { return Ok(()) }     // every reply so far, in one write; false: over its limit
//         if self.closing { break }
//         if !self.idle().await? { return Ok(()) }      // select! { shutdown, messages, requests }
//     }
//     if self.abrupt { return Ok(()) }
//     self.frames.close().await?;                       // half-close
//     let _ = timeout(1s, self.drain()).await;
//     Ok(())
// }
pollen::Poll<Connection::Output> Connection::poll(pollen::Context& cx) {
    POLLEN_BEGIN(cx);
    for (;;) {
        POLLEN_LET_TRY(more_, pollen::poll_fn([this](pollen::Context& c) { return poll_write(c); }));
        if (!more_) POLLEN_RETURN(pollen::Ok());  // dropped for its output limit, as Redis does: no goodbye
        // One huge GET is no reason to keep 64 MiB.
        if (frames_.write_buffer().capacity() > 4 * kOutHighWater) frames_.write_buffer_mut() = {};
        if (closing_) break;
        POLLEN_LET_TRY(more_, pollen::poll_fn([this](pollen::Context& c) { return poll_idle(c); }));
        if (!more_) POLLEN_RETURN(pollen::Ok());
    }
    if (abrupt_) POLLEN_RETURN(pollen::Ok());
    // After the last reply: half-close and read until the client closes too
    // (or a second passes). Closing with unread input would send a reset,
    // which can destroy the reply before the client reads it.
    POLLEN_AWAIT_TRY(frames_.close());
    POLLEN_LET(std::ignore, pollen::time::timeout(1s, pollen::poll_fn([this](pollen::Context& c) { return poll_drain(c); })));
    POLLEN_RETURN(pollen::Ok());
    POLLEN_END;
}

pollen::Poll<pollen::io::Result<bool>> Connection::poll_write(pollen::Context& cx) {
    const std::size_t before = frames_.write_buffer().size();
    auto p = frames_.poll_flush(cx);
    session_.outbox->set_unflushed(frames_.write_buffer().size());
    if (frames_.write_buffer().size() != before) idle_.touch();  // the client is reading
    if (p.is_ready()) {
        if (p.value().is_err()) return pollen::ready(pollen::Err(p.value().error().code));
        return pollen::ready(pollen::Ok(true));
    }
    // The socket is full: a publisher may find the client past its limit meanwhile.
    if (session_.outbox->poll_closed(cx)) return pollen::ready(pollen::Ok(false));
    if (idle_expired(cx)) return pollen::ready(pollen::Ok(false));  // it stopped reading its replies
    return pollen::pending;
}

bool Connection::idle_expired(pollen::Context& cx) {
    idle_.set_limit(std::chrono::seconds(state_->timeout_seconds.load(std::memory_order_relaxed)));
    // Any byte read counts: it is either still buffered or was parsed.
    const std::size_t mark = frames_.read_buffer().size() + frames_.codec().parser().work();
    if (mark != read_mark_) {
        read_mark_ = mark;
        idle_.touch();
    }
    if (session_.blocked || session_.subscribed()) {  // exempt, as in Redis: counted from when they stop
        idle_.touch();
        return false;
    }
    return idle_.poll_expired(cx);  // false after a touch, with the timer holding the waker
}

pollen::Poll<pollen::io::Result<bool>> Connection::poll_idle(pollen::Context& cx) {
    // Leave at an idle point only: no request half-received.
    if (frames_.read_buffer().empty() && shutdown_.poll(cx).is_ready()) return pollen::ready(pollen::Ok(false));
    if (session_.blocked) return poll_blocked(cx);
    Outbox::Taken delivered = deliver_messages(&cx, false);
    if (delivered == Outbox::Taken::Closed) return pollen::ready(pollen::Ok(false));
    auto answered = answer_requests(cx);
    if (answered.is_ready()) return answered;
    if (delivered == Outbox::Taken::Some) return pollen::ready(pollen::Ok(true));
    if (idle_expired(cx)) return pollen::ready(pollen::Ok(false));  // Redis's timeout: closed without a reply
    return pollen::pending;  // the Outbox and poll_next will wake us
}

pollen::Poll<pollen::io::Result<bool>> Connection::poll_blocked(pollen::Context& cx) {
    auto p = session_.blocked->poll(cx);
    if (p.is_ready()) {
        session_.blocked.reset();
        reply(p.take());
        return pollen::ready(pollen::Ok(true));
    }
    if (!read_ahead_) {
        auto next = frames_.poll_next(cx);
        if (next.is_ready()) {
            std::optional<Frames::Item> request = next.take();
            if (!request) return pollen::ready(pollen::Ok(false));  // the client left
            // A protocol error or a query buffer past its limit waits its turn
            // in answer_requests; any other error means the socket is gone.
            if (request->is_err() && request->error().code != errc::protocol_error &&
                request->error().code != errc::query_buffer_limit)
                return pollen::ready(pollen::Err(request->error().code));
            read_ahead_ = std::move(request);
        }
    }
    return pollen::pending;
}

Outbox::Taken Connection::deliver_messages(pollen::Context* cx, bool to_mark) {
    Outbox::Taken t = session_.outbox->take(messages_, to_mark, cx);
    if (t == Outbox::Taken::Some) {
        frames_.write_buffer_mut().extend_from_slice(messages_);
        // A burst is no reason to keep its storage (it takes turns with the Outbox's).
        if (messages_.capacity() > kOutHighWater) std::string().swap(messages_);
        messages_.clear();
        session_.outbox->set_unflushed(frames_.write_buffer().size());
    }
    return t;
}

pollen::Poll<pollen::io::Result<bool>> Connection::answer_requests(pollen::Context& cx) {
    bool answered = false;
    // The keyspace's lock, taken by the first command that needs it and kept
    // for the requests after it that are already buffered: one lock per
    // batch, not per request. Released at the end of the batch.
    std::optional<Db::Guard> db;
    while (!closing_ && has_room()) {
        // Nothing buffered: write the replies before reading (a read now
        // would most likely find nothing and cost a system call).
        if (answered && frames_.read_buffer().empty()) break;
        std::optional<Frames::Item> request;
        if (read_ahead_) {
            request = std::exchange(read_ahead_, std::nullopt);
        } else {
            // Decodes what is buffered; reads only when no whole request is.
            // Nothing buffered means a read: not under the lock, which other
            // threads' connections may want meanwhile. (The rest of a request
            // cut by a read may be read under it: a non-blocking recv, no wait.)
            if (frames_.read_buffer().empty()) db.reset();
            auto p = frames_.poll_next(cx);
            if (p.is_pending()) break;
            request = p.take();
        }
        if (!request) {  // the client closed
            if (answered) break;
            return pollen::ready(pollen::Ok(false));
        }
        answered = true;
        if (request->is_err()) {
            const CodecError& e = request->error();
            if (e.code == errc::query_buffer_limit) {
                // Redis logs it and closes the client, without a reply.
                closing_ = abrupt_ = true;
                break;
            }
            if (e.code != errc::protocol_error) return pollen::ready(pollen::Err(e.code));
            reply(resp::error("ERR " + e.message));
            closing_ = true;
            break;
        }
        execute(*state_, session_, db, request->value().args, replies_);
        // A (un)subscribe marked the Outbox: what was queued before it goes first.
        if (session_.outbox->marked()) (void)deliver_messages(nullptr, true);
        for (const resp::Value& r : replies_) reply(r);
        replies_.clear();
        frames_.codec_mut().recycle(std::move(request->value().args));
        if (session_.quit) closing_ = true;
        if (session_.blocked) break;  // write what came before, then wait
    }
    db.reset();
    if (!answered) return pollen::pending;  // poll_next will wake us
    if (!within_output_limit()) return pollen::ready(pollen::Ok(false));
    return pollen::ready(pollen::Ok(true));
}

bool Connection::within_output_limit() {
    const std::size_t pending = frames_.write_buffer().size();
    session_.outbox->set_unflushed(pending);
    auto cls = session_.subscribed() ? OutputLimits::Class::Pubsub : OutputLimits::Class::Normal;
    if (!state_->output_limits.any(cls)) return true;
    return !session_.outbox->check(pending, state_->output_limits.get(cls));
}

// The Sink protocol asks for poll_ready before each start_send; below the
// backpressure boundary (8 KiB) it is Ready at once, and above it, it would
// write. The connection bounds its replies by kOutHighWater itself (has_room)
// and writes them all with the flush at the top of its loop, so it encodes
// straight away. Encoding a Value cannot fail.
void Connection::reply(const resp::Value& v) { (void)frames_.start_send(v); }

pollen::Poll<void> Connection::poll_drain(pollen::Context& cx) {
    std::byte scratch[4096];
    for (;;) {
        auto p = frames_.get_mut().poll_read(cx, std::span(scratch));
        if (p.is_pending()) return shutdown_.poll(cx);
        auto r = p.take();
        if (r.is_err() || r.value() == 0) return pollen::ready();
    }
}

}  // namespace mini_redis
