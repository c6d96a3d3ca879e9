#pragma once
/// detail::ConnectSocket: the state machine of a non-blocking stream connect,
/// shared by TcpStream and UnixStream (see net/connect.hpp for the public face).
///
/// First poll: socket(), register, connect(). EINPROGRESS → wait until the
/// socket is writable, then read SO_ERROR, and confirm with getpeername
/// (writable without an error can be a spurious wake-up: then it waits again).
/// Woken by the reactor's thread. Destroying it mid-way closes the half-made
/// socket (deregistered first): the connection attempt is abandoned.

#include <sys/socket.h>

#include "../../core/context.hpp"
#include "../../core/io/error.hpp"
#include "../../core/poll.hpp"
#include "socket.hpp"

namespace pollen::net::detail {

class ConnectSocket {
public:
    ConnectSocket(const sockaddr_storage& addr, socklen_t len) : addr_(addr), len_(len) {}
    /// Not-yet-started connect that fails at once with `error` (e.g. a bad path).
    explicit ConnectSocket(io::Error error) : error_(error) {}
    /// Connects `fd`, a socket made (and maybe bound) by the caller
    /// (TcpSocket), instead of a new one.
    ConnectSocket(OwnedFd fd, const sockaddr_storage& addr, socklen_t len)
        : addr_(addr), len_(len), premade_(std::move(fd)) {}

    Poll<io::Result<Socket>> poll(Context& cx);

private:
    enum class State { Start, Connecting, Done };
    State state_ = State::Start;
    sockaddr_storage addr_{};
    socklen_t len_ = 0;
    io::Error error_;
    OwnedFd premade_;
    Socket sock_;
};

}  // namespace pollen::net::detail
