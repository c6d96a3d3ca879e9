#include "connect_socket.hpp"

#include <cassert>
#include <cerrno>

#include "../../core/coop.hpp"

namespace pollen::net::detail {

Poll<io::Result<Socket>> ConnectSocket::poll(Context& cx) {
    using R = io::Result<Socket>;
    assert(state_ != State::Done && "pollen: a connect future polled after it completed");
    if (!coop::poll_proceed(cx)) return pending;
    if (state_ == State::Start) {
        state_ = State::Done;
        if (error_) return ready(R(Err(error_)));
        auto s = Socket::open(addr_.ss_family, SOCK_STREAM);
        if (!s) return ready(R(Err(s.error())));
        sock_ = std::move(*s);
        if (::connect(sock_.fd(), reinterpret_cast<const sockaddr*>(&addr_), len_) == 0)
            return ready(R(Ok(std::move(sock_))));
        // An interrupted connect goes on in the background, like EINPROGRESS.
        if (errno != EINPROGRESS && errno != EINTR) return ready(R(Err(last_error())));
        state_ = State::Connecting;
    }
    for (;;) {
        auto p = sock_.io().poll_ready(cx, Direction::Write);
        if (p.is_pending()) {
            coop::refund();
            return pending;
        }
        pollen::detail::ReadyEvent ev = p.take();
        state_ = State::Done;
        if (ev.ready & pollen::detail::readiness::kShutdown)
            return ready(R(Err(io::error(std::errc::operation_canceled))));
        if (auto err = sock_.take_error(); !err) return ready(R(Err(err.error())));
        sockaddr_storage peer;
        if (auto connected = sock_.peer(peer); connected) return ready(R(Ok(std::move(sock_))));
        else if (connected.error() != std::errc::not_connected) return ready(R(Err(connected.error())));
        state_ = State::Connecting;
        sock_.io().clear_readiness(ev, Direction::Write);
    }
}

}  // namespace pollen::net::detail
