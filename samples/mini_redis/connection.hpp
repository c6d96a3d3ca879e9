#pragma once
// Connection: one mini_redis client, Tokio mini-redis's `Handler::run`
// written as the `async fn` it is (the resumable body of core/async_fn.hpp;
// the Rust is beside it in connection.cpp), over a codec::Framed of the
// socket and the ServerCodec (resp_codec.hpp): requests come out of it as
// resp::Command frames, replies go into it as resp::Value frames. Ready with
// Ok when the client is gone, is closed for a limit, or the server stops;
// Err on an io error (the server drops both alike).
//
// Each turn of its loop:
//
//   1. writes the replies and messages encoded so far (meanwhile nothing
//      else happens: a client that does not read its replies stops being
//      read; only a close for its output limit ends the wait);
//   2. waits, a select! over the shutdown, its Outbox (the pub/sub messages
//      published to it, pubsub.hpp) and the requests, for messages to
//      deliver or requests to answer. It answers every request that comes
//      without waiting, in order, encoding the replies into the write buffer,
//      so a pipeline of N requests gets one write.
//
// A blocking command that must wait (BLPOP on empty lists) leaves its reply
// future in the Session: until it is Ready the connection answers nothing
// else, and reads at most one request ahead, enough to notice a client that
// leaves (dropping the future gives its place in the queue up).
//
// Memory is bounded. Input: the codec counts the client's query buffer
// against client-query-buffer-limit and the total across clients (Redis
// closes such a client without a reply; so does this), and the RESP limits
// make an oversized header an error before its bytes come. Output: at most
// about kOutHighWater bytes of replies are encoded before they are written,
// and the pending output (the write buffer not yet taken by the socket, plus
// the messages queued in the Outbox) is held to the client-output-buffer-limit
// of the client's class, pubsub once it subscribed to anything, else normal:
// past it, the client is dropped at once, without writing more. A protocol
// error is answered with `-ERR Protocol error: ...` and, like QUIT, closes
// the connection politely (the linger at the end of poll).
//
// Redis's timeout (State::timeout_seconds, read at each wait, so CONFIG SET
// reaches open connections): a client from which no byte came and to which
// none could be written for that long is closed without a word, as Redis's
// clientsCron closes it; a blocked client and a subscriber are exempt, as
// in Redis (samples/idle_timer.hpp keeps the deadline).
//
// On shutdown (the token) it ends at its next idle point: never between a
// request and its reply. It must not be moved after its first poll.
#include <pollen.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../idle_timer.hpp"
#include "resp_codec.hpp"
#include "session.hpp"
#include "state.hpp"

namespace mini_redis {

class Connection : public pollen::Async<Connection, pollen::io::Result<void>> {
public:
    Connection(pollen::net::TcpStream stream, std::shared_ptr<State> state, const pollen::CancellationToken& shutdown);
    ~Connection();
    Connection(Connection&&) = default;

    pollen::Poll<Output> poll(pollen::Context& cx);

private:
    using Frames = pollen::codec::Framed<pollen::net::TcpStream, ServerCodec>;
    static constexpr std::size_t kOutHighWater = 1 << 20;

    /// Writes the write buffer out: Ready(Ok(true)) once it is, Ok(false)
    /// if meanwhile the client was closed for its output limit.
    pollen::Poll<pollen::io::Result<bool>> poll_write(pollen::Context& cx);
    /// The select! of an idle connection: Ready(Ok(true)) once there is
    /// something to write, Ok(false) when the client closed, was closed for
    /// a limit, or the server stops.
    pollen::Poll<pollen::io::Result<bool>> poll_idle(pollen::Context& cx);
    /// Moves the Outbox's messages (those before the mark, if `to_mark`)
    /// into the write buffer.
    Outbox::Taken deliver_messages(pollen::Context* cx, bool to_mark);
    /// A blocked client: its reply once it comes; Ready as poll_idle.
    pollen::Poll<pollen::io::Result<bool>> poll_blocked(pollen::Context& cx);
    /// Answers the requests that come without waiting; Ready as poll_idle.
    pollen::Poll<pollen::io::Result<bool>> answer_requests(pollen::Context& cx);
    /// Whether more replies may be encoded before the next write.
    bool has_room() const { return frames_.write_buffer().size() < kOutHighWater; }
    /// The output-buffer limit of the client's class, after replies were
    /// encoded; false if the client must be dropped.
    bool within_output_limit();
    void reply(const resp::Value& v);
    /// Reads and drops input until the client closes or the server stops.
    pollen::Poll<void> poll_drain(pollen::Context& cx);
    /// The idle timeout, about to wait: true if it ran out (the client must
    /// go); else the timer has the waker. Notes bytes that came meanwhile.
    bool idle_expired(pollen::Context& cx);

    Frames frames_;
    std::shared_ptr<State> state_;
    pollen::WaitForCancellation shutdown_;
    Session session_;
    std::vector<resp::Value> replies_;  ///< one request's, reused
    std::optional<Frames::Item> read_ahead_;  ///< a request that came while blocked
    std::string messages_;                    ///< pub/sub bytes on their way from the Outbox to the write buffer
    samples::IdleTimer idle_;                 ///< Redis's timeout
    std::size_t read_mark_ = 0;               ///< the input seen at the last wait (bytes buffered + parsed)

    bool closing_ = false;  ///< write what is encoded, then close
    bool abrupt_ = false;   ///< ... without the polite linger (a query buffer past its limit)
    bool more_ = false;
    POLLEN_FRAME;
};

}  // namespace mini_redis
