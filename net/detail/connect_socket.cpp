#include "connect_socket.hpp"

#include <cassert>
#include <cerrno>

#include "../../core/coop.hpp"
#include "../socket_addr.hpp"
#include "sim_fabric.hpp"
#include "sim_socket.hpp"

namespace pollen::net::detail {

Poll<io::Result<Socket>> ConnectSocket::poll(Context& cx) {
    using R = io::Result<Socket>;
    assert(state_ != State::Done && "pollen: a connect future polled after it completed");
    if (!coop::poll_proceed(cx)) return pending;
    if (state_ == State::Start) {
        state_ = State::Done;
        if (error_) return ready(R(Err(error_)));
        if (sim::Fabric* f = premade_.get() >= 0 ? nullptr : sim::Fabric::current()) {
            auto a = SocketAddr::from_sockaddr(reinterpret_cast<const sockaddr*>(&addr_), len_);
            if (!a) return ready(R(Err(a.error())));
            auto s = f->connect(*a);
            if (!s) return ready(R(Err(s.error())));
            sock_ = Socket(sim::SimSocketPtr(s->release()));
            state_ = State::Connecting;
        } else {
            auto fd = premade_.get() >= 0 ? io::Result<OwnedFd>(Ok(std::move(premade_)))
                                         : new_socket(addr_.ss_family, SOCK_STREAM);
            if (!fd) return ready(R(Err(fd.error())));
            // connect() before registering: a socket not yet connecting reports
            // EPOLLHUP, which the reactor would keep as a final hang-up.
            bool done = sys::connect(fd->get(), reinterpret_cast<const sockaddr*>(&addr_), len_) == 0;
            // An interrupted connect goes on in the background, like EINPROGRESS.
            if (!done && errno != EINPROGRESS && errno != EINTR) return ready(R(Err(last_error())));
            auto s = Socket::adopt(fd->release());
            if (!s) return ready(R(Err(s.error())));
            sock_ = std::move(*s);
            if (done) return ready(R(Ok(std::move(sock_))));
            state_ = State::Connecting;
        }
    }
    if (sim::SimSocket* s = sock_.simulated()) {
        auto p = s->poll_connect(cx);
        if (p.is_pending()) {
            coop::refund();
            return pending;
        }
        state_ = State::Done;
        io::Result<void> r = p.take();
        if (!r) return ready(R(Err(r.error())));
        return ready(R(Ok(std::move(sock_))));
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
        auto connected = sock_.peer(peer);
        if (connected) return ready(R(Ok(std::move(sock_))));
        // A hang-up is final: waiting again would spin, so "not connected" is the answer then.
        bool hung_up = ev.ready & (pollen::detail::readiness::kWriteClosed | pollen::detail::readiness::kError);
        if (connected.error() != std::errc::not_connected || hung_up) return ready(R(Err(connected.error())));
        state_ = State::Connecting;
        sock_.io().clear_readiness(ev, Direction::Write);
    }
}

}  // namespace pollen::net::detail
