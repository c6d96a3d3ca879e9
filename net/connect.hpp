#pragma once
/// net::Connect<Stream>: the future of `TcpStream::connect(addr)` and
/// `UnixStream::connect(path)`, Tokio's `connect(addr).await`; and, as
/// `tcp::ConnectEach` (Connect<TcpStream, detail::ConnectEach>), of the
/// connects by name or by list (`connect("localhost", 6379)`,
/// `connect("127.0.0.1:6379")`, `connect({a, b})`).
///
/// To one address: the first poll creates a non-blocking socket and starts
/// connect(); it is Ready with Ok(stream) once the connection is
/// established, or with the error (connection_refused, network_unreachable...).
/// Woken by the reactor's thread when the socket becomes writable.
/// By name or list: the addresses first (a literal or a list at once, a name
/// through lookup_host on the blocking pool, whose thread wakes it), then
/// each address in turn, as Tokio does: Ready with the first connection, or
/// the last address's error (the lookup's error if the name did not resolve;
/// net/addr_error.hpp's for malformed text or no address at all).
///
/// Destroying it mid-way closes the half-made socket, or detaches the lookup
/// in flight (its answer is dropped): nothing stays registered and nothing
/// wakes the task afterwards. It holds no pointer into itself and may be
/// moved, also after polling.

#include <utility>

#include "../core/future_ext.hpp"
#include "detail/connect_socket.hpp"

namespace pollen::net {

/// `Attempt`: the state machine that yields a connected detail::Socket.
template <class Stream, class Attempt = detail::ConnectSocket>
class Connect : public FutureExt<Connect<Stream, Attempt>> {
public:
    using Output = io::Result<Stream>;

    explicit Connect(Attempt inner) : inner_(std::move(inner)) {}

    Poll<Output> poll(Context& cx) {
        auto p = inner_.poll(cx);
        if (p.is_pending()) return pending;
        io::Result<detail::Socket> r = p.take();
        if (!r) return ready(Output(Err(r.error())));
        return ready(Output(Ok(Stream(std::move(*r)))));
    }

private:
    Attempt inner_;
};

}  // namespace pollen::net
