#pragma once
/// UnixListener: a Unix domain socket listening at a path (Tokio's
/// `UnixListener`). `bind(path)` is synchronous; removing the socket file
/// afterwards is the caller's job, as in Tokio. `accept()` / `poll_accept(cx)`
/// behave like TcpListener's: Ready with the next stream and its peer's
/// address, woken by the reactor's thread, paused on a timer when file
/// descriptors run out, one accepting task at a time. Destroying an accept
/// future mid-way loses no connection; destroying the listener deregisters
/// and closes it.

#include <string_view>
#include <utility>

#include "../core/io/error.hpp"
#include "../core/poll_fn.hpp"
#include "detail/accept_backoff.hpp"
#include "detail/socket.hpp"
#include "unix_socket_addr.hpp"
#include "unix_stream.hpp"

namespace pollen::net {

class UnixListener {
public:
    static io::Result<UnixListener> bind(std::string_view path, int backlog = 1024);
    static io::Result<UnixListener> from_fd(int fd);

    UnixListener(UnixListener&&) noexcept = default;
    UnixListener& operator=(UnixListener&&) noexcept = default;

    Poll<io::Result<std::pair<UnixStream, UnixSocketAddr>>> poll_accept(Context& cx);
    auto accept() {
        return poll_fn([this](Context& cx) { return poll_accept(cx); });
    }

    io::Result<UnixSocketAddr> local_addr() const;
    int as_raw_fd() const { return sock_.fd(); }

private:
    explicit UnixListener(detail::Socket s) : sock_(std::move(s)) {}
    detail::Socket sock_;
    detail::AcceptBackoff backoff_;
};

}  // namespace pollen::net
