#pragma once
// Connection: one mini_redis client, Tokio mini-redis's `Handler::run`
// written as the `async fn` it is (the resumable body of core/async_fn.hpp;
// the Rust is beside it in connection.cpp), over a codec::Framed of the
// socket and the ServerCodec (resp_codec.hpp): requests come out of it as
// resp::Command frames, replies go into it as resp::Value frames. Ready with
// Ok when the client is gone or the server stops, Err on an io error (the
// server drops both alike).
//
// Each turn of its loop:
//
//   1. flushes the replies encoded so far (meanwhile nothing else happens: a
//      client that does not read its replies stops being read);
//   2. waits, a select! over the shutdown, the channels it subscribed to
//      (each one a `broadcast` recv() future) and the requests, for messages
//      to deliver or requests to answer. It answers every request that comes
//      without waiting, in order, encoding the replies into the write buffer,
//      so a pipeline of N requests gets one write.
//
// A blocking command that must wait (BLPOP on empty lists) leaves its reply
// future in the Session: until it is Ready the connection answers nothing
// else, and reads at most one request ahead, enough to notice a client that
// leaves (dropping the future gives its place in the queue up).
//
// Memory is bounded: the codec bounds the input by the limits (see
// resp_codec.hpp), and at most about kOutHighWater bytes of replies are
// encoded before they are written. A protocol error is answered with
// `-ERR Protocol error: ...` and, like QUIT, closes the connection politely
// (the linger at the end of poll).
//
// On shutdown (the token) it ends at its next idle point: never between a
// request and its reply. It must not be moved after its first poll.
#include <pollen.hpp>

#include <cstddef>
#include <memory>
#include <vector>

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

    /// The select! of an idle connection: Ready(Ok(true)) once there is
    /// something to write, Ok(false) when the client closed or the server stops.
    pollen::Poll<pollen::io::Result<bool>> poll_idle(pollen::Context& cx);
    /// Encodes the messages that arrived on subscribed channels; true if any.
    bool deliver_messages(pollen::Context& cx);
    /// A blocked client: its reply once it comes; Ready as poll_idle.
    pollen::Poll<pollen::io::Result<bool>> poll_blocked(pollen::Context& cx);
    /// Answers the requests that come without waiting; Ready as poll_idle.
    pollen::Poll<pollen::io::Result<bool>> answer_requests(pollen::Context& cx);
    /// Whether more replies may be encoded before the next write.
    bool has_room() const { return frames_.write_buffer().size() < kOutHighWater; }
    void reply(resp::Value v);
    /// Reads and drops input until the client closes or the server stops.
    pollen::Poll<void> poll_drain(pollen::Context& cx);

    Frames frames_;
    std::shared_ptr<State> state_;
    pollen::WaitForCancellation shutdown_;
    Session session_;
    std::vector<resp::Value> replies_;  ///< one request's, reused
    std::optional<Frames::Item> read_ahead_;  ///< a request that came while blocked

    bool closing_ = false;
    bool more_ = false;
    POLLEN_FRAME;
};

}  // namespace mini_redis
