#pragma once
// Connection: one mini_redis client, the future that Tokio mini-redis's
// `Handler::run` would be as an `async fn`. Ready when the client is gone.
//
// Its poll is a loop over four sources, in this order, each of which either
// makes progress or has stored the task's waker before it returns Pending:
//
//   1. write out what is queued (while the socket will not take it, nothing
//      else happens: a client that does not read its replies stops being read);
//   2. answer every complete request already buffered, in order, into one
//      reply buffer, so a pipeline of N requests gets one write;
//   3. deliver messages from the channels it subscribed to (each one a
//      `broadcast` recv() future, polled like a select! branch);
//   4. read more bytes.
//
// Memory is bounded: the input buffer never holds more than one request,
// whose size resp::parse_command bounds by the limits, and at most about
// kOutHighWater bytes of replies are produced before they are written.
// A protocol error is answered with `-ERR Protocol error: ...` and, like
// QUIT, closes the connection politely (see linger()).
//
// On shutdown (the token) it ends at its next idle point: never between a
// request and its reply. It must not be moved after its first poll.
#include <pollen.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "session.hpp"
#include "state.hpp"

namespace mini_redis {

class Connection : public pollen::FutureExt<Connection> {
public:
    using Output = void;

    Connection(pollen::net::TcpStream stream, std::shared_ptr<State> state, const pollen::CancellationToken& shutdown);
    ~Connection();
    Connection(Connection&&) = default;

    pollen::Poll<void> poll(pollen::Context& cx);

private:
    static constexpr std::size_t kInitialBuf = 16 * 1024;
    static constexpr std::size_t kOutHighWater = 1 << 20;

    /// false on a write error.
    bool flush(pollen::Context& cx, bool& pending);
    /// Answers the complete requests at the front of the input; true if
    /// there is something to write (or the connection is to close).
    bool answer_buffered();
    /// Appends the messages that arrived on subscribed channels; true if any.
    bool deliver_messages(pollen::Context& cx);
    /// Makes room for the next read; false if one request outgrew the limits.
    bool reserve_input();
    pollen::Poll<void> linger(pollen::Context& cx);

    pollen::net::TcpStream stream_;
    std::shared_ptr<State> state_;
    pollen::WaitForCancellation shutdown_;
    Session session_;

    std::unique_ptr<char[]> in_;
    std::size_t in_cap_ = 0;
    std::size_t filled_ = 0;
    std::size_t need_ = 0;  ///< the parser's "come back with this many bytes"

    std::string out_;
    std::size_t written_ = 0;
    bool closing_ = false;
    std::optional<pollen::time::Sleep> linger_;
};

}  // namespace mini_redis
