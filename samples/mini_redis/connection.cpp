// Connection: a mini_redis client's read / answer / deliver / write loop
// (see connection.hpp).
#include "connection.hpp"

#include <algorithm>
#include <cstring>
#include <span>

#include "commands.hpp"

using namespace std::chrono_literals;

namespace mini_redis {

Connection::Connection(pollen::net::TcpStream stream, std::shared_ptr<State> state,
                       const pollen::CancellationToken& shutdown)
    : stream_(std::move(stream)),
      state_(std::move(state)),
      shutdown_(shutdown.cancelled()),
      in_(std::make_unique_for_overwrite<char[]>(kInitialBuf)),
      in_cap_(kInitialBuf) {
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

pollen::Poll<void> Connection::poll(pollen::Context& cx) {
    for (;;) {
        bool blocked = false;
        if (!flush(cx, blocked)) return pollen::ready();
        if (blocked) return pollen::pending;
        if (closing_) return linger(cx);

        if (answer_buffered()) continue;
        // Leave at an idle point only: no request half-received.
        if (filled_ == 0 && shutdown_.poll(cx).is_ready()) return pollen::ready();
        if (deliver_messages(cx)) continue;

        if (!reserve_input()) {
            resp::append_error(out_, "ERR Protocol error: request too large");
            closing_ = true;
            continue;
        }
        auto p = stream_.poll_read(cx, std::as_writable_bytes(std::span(in_.get() + filled_, in_cap_ - filled_)));
        if (p.is_pending()) return pollen::pending;
        auto r = p.take();
        if (r.is_err() || r.value() == 0) return pollen::ready();  // reset, or the client closed
        filled_ += r.value();
    }
}

bool Connection::flush(pollen::Context& cx, bool& blocked) {
    while (written_ < out_.size()) {
        auto p = stream_.poll_write(cx, std::as_bytes(std::span(out_).subspan(written_)));
        if (p.is_pending()) {
            blocked = true;
            return true;
        }
        auto r = p.take();
        if (r.is_err() || r.value() == 0) return false;
        written_ += r.value();
    }
    out_.clear();
    written_ = 0;
    if (out_.capacity() > 4 * kOutHighWater) out_.shrink_to_fit();  // one huge GET is no reason to keep 64 MiB
    return true;
}

bool Connection::answer_buffered() {
    std::size_t start = 0;
    while (!closing_ && out_.size() < kOutHighWater) {
        std::size_t avail = filled_ - start;
        if (avail == 0 || avail < need_) break;
        auto parsed = resp::parse_command({in_.get() + start, avail}, state_->limits);
        if (parsed.incomplete()) {
            need_ = parsed.need;
            break;
        }
        if (parsed.failed()) {
            resp::append_error(out_, "ERR " + parsed.error);
            closing_ = true;
            break;
        }
        start += parsed.consumed;
        need_ = 0;
        if (parsed.value.args.empty()) continue;  // an empty line, or *0
        execute(*state_, session_, parsed.value.args, out_);
        if (session_.quit) closing_ = true;
    }
    if (start > 0) {
        std::memmove(in_.get(), in_.get() + start, filled_ - start);
        filled_ -= start;
    }
    return !out_.empty() || closing_;
}

bool Connection::deliver_messages(pollen::Context& cx) {
    bool any = false;
    for (auto& [channel, sub] : session_.subscriptions) {
        while (out_.size() < kOutHighWater) {
            if (!sub->recv) sub->recv.emplace(sub->rx.recv());
            auto p = sub->recv->poll(cx);
            if (p.is_pending()) break;
            auto r = p.take();
            sub->recv.reset();
            if (r.is_err()) {
                if (r.error().is_lagged()) continue;  // a slow reader loses the oldest messages
                break;                                 // closed: cannot happen while PubSub holds the Sender
            }
            resp::append_array_header(out_, 3);
            resp::append_bulk(out_, "message");
            resp::append_bulk(out_, channel);
            resp::append_bulk(out_, r.value());
            any = true;
        }
    }
    return any;
}

bool Connection::reserve_input() {
    const resp::Limits& lim = state_->limits;
    // Far more than any request the parser accepts can take.
    const std::size_t hard_cap = lim.max_message + lim.max_line + 1024;
    // Grow by doubling as bytes arrive, not to the size a header announces:
    // a client that declares a 64 MiB bulk string and sends nothing costs
    // nothing.
    std::size_t want = filled_ + 4096;
    if (filled_ == 0 && in_cap_ > kInitialBuf) {  // give back what a big request took
        in_ = std::make_unique_for_overwrite<char[]>(kInitialBuf);
        in_cap_ = kInitialBuf;
    }
    if (want <= in_cap_) return true;
    if (filled_ >= hard_cap) return false;
    std::size_t cap = std::min(std::max(want, in_cap_ * 2), hard_cap);
    if (cap == in_cap_) return true;
    auto grown = std::make_unique_for_overwrite<char[]>(cap);
    std::memcpy(grown.get(), in_.get(), filled_);
    in_ = std::move(grown);
    in_cap_ = cap;
    return true;
}

pollen::Poll<void> Connection::linger(pollen::Context& cx) {
    // After the last reply: half-close and read until the client closes too
    // (or a second passes). Closing with unread input would send a reset,
    // which can destroy the reply before the client reads it.
    if (!linger_) {
        auto p = stream_.poll_shutdown(cx);
        if (p.is_pending()) return pollen::pending;
        if (p.take().is_err()) return pollen::ready();
        linger_.emplace(pollen::time::sleep(1s));
        filled_ = 0;
    }
    for (;;) {
        auto p = stream_.poll_read(cx, std::as_writable_bytes(std::span(in_.get(), in_cap_)));
        if (p.is_pending()) break;
        auto r = p.take();
        if (r.is_err() || r.value() == 0) return pollen::ready();
    }
    if (shutdown_.poll(cx).is_ready()) return pollen::ready();
    return linger_->poll(cx);
}

}  // namespace mini_redis
