#pragma once
/// net::Connect<Stream>: the future of `TcpStream::connect(addr)` and
/// `UnixStream::connect(path)`, Tokio's `connect(addr).await`.
///
/// Its first poll creates a non-blocking socket and starts connect(); it is
/// Ready with Ok(stream) once the connection is established, or with the
/// error (connection_refused, network_unreachable...). Woken by the reactor's
/// thread when the socket becomes writable. Destroying it mid-way closes the
/// half-made socket: nothing stays registered and nothing wakes afterwards.
/// It holds no pointer into itself and may be moved, also after polling.

#include <utility>

#include "../core/future_ext.hpp"
#include "detail/connect_socket.hpp"

namespace pollen::net {

template <class Stream>
class Connect : public FutureExt<Connect<Stream>> {
public:
    using Output = io::Result<Stream>;

    explicit Connect(detail::ConnectSocket inner) : inner_(std::move(inner)) {}

    Poll<Output> poll(Context& cx) {
        auto p = inner_.poll(cx);
        if (p.is_pending()) return pending;
        io::Result<detail::Socket> r = p.take();
        if (!r) return ready(Output(Err(r.error())));
        return ready(Output(Ok(Stream(std::move(*r)))));
    }

private:
    detail::ConnectSocket inner_;
};

}  // namespace pollen::net
