// Connection: a mini_redis client's answer / deliver / write loop
// (see connection.hpp).
#include "connection.hpp"

#include <span>

#include "commands.hpp"

using namespace std::chrono_literals;

namespace mini_redis {

Connection::Connection(pollen::net::TcpStream stream, std::shared_ptr<State> state,
                       const pollen::CancellationToken& shutdown)
    : frames_(std::move(stream), ServerCodec(state->limits)),
      state_(std::move(state)),
      shutdown_(shutdown.cancelled()) {
    session_.id = state_->next_client_id.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
    if (!state_) return;  // moved from
    // Drop each Receiver before asking the registry to forget its channel.
    while (!session_.subscriptions.empty()) {
        auto node = session_.subscriptions.extract(session_.subscriptions.begin());
        node.mapped().reset();
        state_->pubsub.forget(node.key());
    }
}

// async fn run(&mut self) -> io::Result<()> {
//     loop {
//         self.frames.flush().await?;                    // every reply so far, in one write
//         if self.closing { break }
//         if !self.idle().await? { return Ok(()) }       // select! { shutdown, messages, requests }
//     }
//     self.frames.close().await?;                        // half-close
//     let _ = timeout(1s, self.drain()).await;
//     Ok(())
// }
pollen::Poll<Connection::Output> Connection::poll(pollen::Context& cx) {
    POLLEN_BEGIN(cx);
    for (;;) {
        POLLEN_AWAIT_TRY(frames_.flush());
        // One huge GET is no reason to keep 64 MiB.
        if (frames_.write_buffer().capacity() > 4 * kOutHighWater) frames_.write_buffer_mut() = {};
        if (closing_) break;
        POLLEN_LET_TRY(more_, pollen::poll_fn([this](pollen::Context& c) { return poll_idle(c); }));
        if (!more_) POLLEN_RETURN(pollen::Ok());
    }
    // After the last reply: half-close and read until the client closes too
    // (or a second passes). Closing with unread input would send a reset,
    // which can destroy the reply before the client reads it.
    POLLEN_AWAIT_TRY(frames_.close());
    POLLEN_LET(std::ignore, pollen::time::timeout(1s, pollen::poll_fn([this](pollen::Context& c) { return poll_drain(c); })));
    POLLEN_RETURN(pollen::Ok());
    POLLEN_END;
}

pollen::Poll<pollen::io::Result<bool>> Connection::poll_idle(pollen::Context& cx) {
    // Leave at an idle point only: no request half-received.
    if (frames_.read_buffer().empty() && shutdown_.poll(cx).is_ready()) return pollen::ready(pollen::Ok(false));
    if (session_.blocked) return poll_blocked(cx);
    if (deliver_messages(cx)) return pollen::ready(pollen::Ok(true));
    return answer_requests(cx);
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
            if (request->is_err() && request->error().code != errc::protocol_error)
                return pollen::ready(pollen::Err(request->error().code));  // so did its socket
            read_ahead_ = std::move(request);
        }
    }
    return pollen::pending;
}

bool Connection::deliver_messages(pollen::Context& cx) {
    bool any = false;
    for (auto& [channel, sub] : session_.subscriptions) {
        while (has_room()) {
            if (sub->recv.is_empty()) sub->recv.emplace(sub->rx.recv());
            auto p = sub->recv.poll(cx);
            if (p.is_pending()) break;
            auto r = p.take();
            if (r.is_err()) {
                if (r.error().is_lagged()) continue;  // a slow reader loses the oldest messages
                break;                                 // closed: cannot happen while PubSub holds the Sender
            }
            reply(resp::array({resp::bulk("message"), resp::bulk(channel), resp::bulk(std::move(r).value())}));
            any = true;
        }
    }
    return any;
}

pollen::Poll<pollen::io::Result<bool>> Connection::answer_requests(pollen::Context& cx) {
    bool answered = false;
    while (!closing_ && has_room()) {
        // Nothing buffered: write the replies before reading (a read now
        // would most likely find nothing and cost a system call).
        if (answered && frames_.read_buffer().empty()) break;
        std::optional<Frames::Item> request;
        if (read_ahead_) {
            request = std::exchange(read_ahead_, std::nullopt);
        } else {
            // Decodes what is buffered; reads only when no whole request is.
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
            if (e.code != errc::protocol_error) return pollen::ready(pollen::Err(e.code));
            reply(resp::error("ERR " + e.message));
            closing_ = true;
            break;
        }
        execute(*state_, session_, request->value().args, replies_);
        for (resp::Value& r : replies_) reply(std::move(r));
        replies_.clear();
        if (session_.quit) closing_ = true;
        if (session_.blocked) break;  // write what came before, then wait
    }
    if (answered) return pollen::ready(pollen::Ok(true));
    return pollen::pending;  // poll_next will wake us
}

// The Sink protocol asks for poll_ready before each start_send; below the
// backpressure boundary (8 KiB) it is Ready at once, and above it, it would
// write. The connection bounds its replies by kOutHighWater itself (has_room)
// and writes them all with the flush at the top of its loop, so it encodes
// straight away. Encoding a Value cannot fail.
void Connection::reply(resp::Value v) { (void)frames_.start_send(std::move(v)); }

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
