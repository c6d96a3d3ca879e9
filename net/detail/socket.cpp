#include "socket.hpp"

#include <sys/uio.h>

#include <algorithm>
#include <climits>

#include "../../reactor/detail/reactor.hpp"
#include "../socket_addr.hpp"
#include "sim_fabric.hpp"
#include "sim_socket.hpp"

namespace pollen::net::detail {

namespace {
// A vectored write takes at most this many buffers per call (the kernel's limit).
constexpr std::size_t kMaxIov = IOV_MAX;
}  // namespace

namespace sim {
void SimSocketDelete::operator()(SimSocket* s) const noexcept { delete s; }
}  // namespace sim

namespace {

io::Result<SocketAddr> addr_of(const sockaddr_storage& ss, socklen_t len) {
    return SocketAddr::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
}

socklen_t fill(const SocketAddr& a, sockaddr_storage& out) { return a.to_sockaddr(out); }

// A simulated call's Ready result (or Pending) with `from` filled in.
Poll<io::Result<std::size_t>> with_from(Poll<io::Result<std::size_t>> p, const SocketAddr& a, sockaddr_storage& from,
                                        socklen_t& from_len) {
    if (p.is_ready() && p.value()) from_len = fill(a, from);
    return p;
}

}  // namespace

void refuse_in_simulation(const char* what) { pollen::detail::Reactor::refuse_real_io_in_simulation(what); }

io::Result<OwnedFd> new_socket(int domain, int type) {
    refuse_in_simulation("a real socket (net::TcpListener, TcpStream, UdpSocket, Unix sockets)");
    int fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Err(last_error());
    return Ok(OwnedFd(fd));
}

io::Result<Socket> bind_socket(int type, const sockaddr_storage& addr, socklen_t len, int backlog,
                               bool reuse_addr) {
    if (sim::Fabric* f = sim::Fabric::current()) {
        auto a = addr_of(addr, len);
        if (!a) return Err(a.error());
        auto s = f->bind(type, *a);
        if (!s) return Err(s.error());
        return Ok(Socket(sim::SimSocketPtr(s->release())));
    }
    auto fd = new_socket(addr.ss_family, type);
    if (!fd) return Err(fd.error());
    int one = 1;
    if (reuse_addr && ::setsockopt(fd->get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return Err(last_error());
    if (::bind(fd->get(), reinterpret_cast<const sockaddr*>(&addr), len) < 0) return Err(last_error());
    if (backlog >= 0 && ::listen(fd->get(), backlog) < 0) return Err(last_error());
    return Socket::adopt(fd->release());
}

io::Result<Socket> Socket::adopt(int fd) {
    std::error_code ec;
    Socket s;
    s.io_ = pollen::detail::IoSource(fd, ec);
    if (ec) return Err(ec);
    return Ok(std::move(s));
}

Poll<io::Result<std::size_t>> Socket::poll_recv(Context& cx, std::span<std::byte> buf, bool byte_stream,
                                                int flags) {
    if (sim_) [[unlikely]] {
        if (!coop::poll_proceed(cx)) return pending;
        bool peek = (flags & MSG_PEEK) != 0;
        SocketAddr from;
        auto p = sim_->kind() == sim::SimSocket::Kind::Datagram ? sim_->poll_recv_from(&cx, buf, from, peek)
                                                                 : sim_->poll_read(&cx, buf, peek);
        if (p.is_pending()) coop::refund();
        return p;
    }
    int fd = io_.fd();
    // A short peek does not empty the queue: clearing the readiness then would
    // leave the next read waiting for an edge that never comes.
    bool short_means_empty = byte_stream && (flags & MSG_PEEK) == 0;
    return io_.poll_io(cx, Direction::Read, [&] { return sys::recv(fd, buf.data(), buf.size(), flags); },
                       short_means_empty ? buf.size() : 0);
}

Poll<io::Result<std::size_t>> Socket::poll_send(Context& cx, std::span<const std::byte> buf, bool byte_stream) {
    if (sim_) [[unlikely]] {
        if (!coop::poll_proceed(cx)) return pending;
        if (sim_->kind() == sim::SimSocket::Kind::Datagram) {
            if (!sim_->peer()) return ready(io::Result<std::size_t>(Err(io::error(std::errc::destination_address_required))));
            return ready(sim_->send_to(buf, *sim_->peer()));
        }
        return ready(sim_->write(buf));
    }
    int fd = io_.fd();
    // MSG_NOSIGNAL: a peer that reset the connection is an EPIPE value, not SIGPIPE.
    return io_.poll_io(cx, Direction::Write,
                       [&] { return sys::send(fd, buf.data(), buf.size(), MSG_NOSIGNAL); },
                       byte_stream ? buf.size() : 0);
}

Poll<io::Result<std::size_t>> Socket::poll_send_vectored(Context& cx, io::IoSlices bufs) {
    if (sim_) [[unlikely]] {
        if (!coop::poll_proceed(cx)) return pending;
        std::vector<std::byte> all;
        for (auto b : bufs) all.insert(all.end(), b.begin(), b.end());
        return ready(sim_->write(all));
    }
    iovec iov[kMaxIov > 64 ? 64 : kMaxIov];
    std::size_t n = 0, total = 0;
    for (auto b : bufs) {
        if (b.empty()) continue;
        if (n == std::size(iov)) break;  // a short write; the caller sends the rest next
        iov[n].iov_base = const_cast<std::byte*>(b.data());
        iov[n].iov_len = b.size();
        total += b.size();
        ++n;
    }
    if (n == 0) return ready(io::Result<std::size_t>(Ok(std::size_t{0})));
    int fd = io_.fd();
    // sendmsg, not writev: only send* take MSG_NOSIGNAL.
    return io_.poll_io(cx, Direction::Write, [&] {
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = n;
        return sys::sendmsg(fd, &msg, MSG_NOSIGNAL);
    }, total);
}

Poll<io::Result<std::size_t>> Socket::poll_recv_from(Context& cx, std::span<std::byte> buf,
                                                     sockaddr_storage& from, socklen_t& from_len, int flags) {
    if (sim_) [[unlikely]] {
        if (!coop::poll_proceed(cx)) return pending;
        SocketAddr a;
        auto p = with_from(sim_->poll_recv_from(&cx, buf, a, (flags & MSG_PEEK) != 0), a, from, from_len);
        if (p.is_pending()) coop::refund();
        return p;
    }
    int fd = io_.fd();
    return io_.poll_io(cx, Direction::Read, [&] {
        from_len = sizeof from;
        return sys::recvfrom(fd, buf.data(), buf.size(), flags, reinterpret_cast<sockaddr*>(&from), &from_len);
    });
}

Poll<io::Result<std::size_t>> Socket::poll_send_to(Context& cx, std::span<const std::byte> buf,
                                                   const sockaddr_storage& to, socklen_t to_len) {
    if (sim_) [[unlikely]] {
        if (!coop::poll_proceed(cx)) return pending;
        auto a = addr_of(to, to_len);
        if (!a) return ready(io::Result<std::size_t>(Err(a.error())));
        return ready(sim_->send_to(buf, *a));
    }
    int fd = io_.fd();
    return io_.poll_io(cx, Direction::Write, [&] {
        return sys::sendto(fd, buf.data(), buf.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&to),
                        to_len);
    });
}

Poll<io::Result<void>> Socket::poll_ready(Context& cx, Direction dir) {
    auto p = poll_ready(cx, pollen::detail::readiness::interest_of(dir));
    if (p.is_pending()) return pending;
    io::Result<io::Ready> r = p.take();
    if (!r) return ready(io::Result<void>(Err(r.error())));
    return ready(io::Result<void>(Ok()));
}

Poll<io::Result<io::Ready>> Socket::poll_ready(Context& cx, io::Interest interest) {
    using R = io::Result<io::Ready>;
    if (!coop::poll_proceed(cx)) return pending;
    if (sim_) [[unlikely]] {
        auto p = sim_->poll_ready(cx, interest);
        if (p.is_pending()) coop::refund();
        return p;
    }
    auto p = io_.poll_ready(cx, interest);
    if (p.is_pending()) {
        coop::refund();
        return pending;
    }
    pollen::detail::ReadyEvent ev = p.take();
    if (ev.ready & pollen::detail::readiness::kShutdown) return ready(R(Err(io::error(std::errc::operation_canceled))));
    if (interest.is_readable()) tick_of(Direction::Read).store(ev.tick, std::memory_order_relaxed);
    if (interest.is_writable()) tick_of(Direction::Write).store(ev.tick, std::memory_order_relaxed);
    return ready(R(Ok(io::Ready::from_bits(ev.ready).intersection(interest))));
}

io::Result<std::size_t> Socket::try_recv(std::span<std::byte> buf) {
    if (sim_) [[unlikely]] {
        if (sim_->kind() == sim::SimSocket::Kind::Datagram) {
            SocketAddr from;
            return sim_->poll_recv_from(nullptr, buf, from, false).take();
        }
        return sim_->poll_read(nullptr, buf, false).take();
    }
    int fd = io_.fd();
    return try_io(Direction::Read, [&] { return sys::recv(fd, buf.data(), buf.size(), 0); });
}

io::Result<std::size_t> Socket::try_send(std::span<const std::byte> buf) {
    if (sim_) [[unlikely]] {
        if (sim_->kind() == sim::SimSocket::Kind::Datagram) {
            if (!sim_->peer()) return Err(io::error(std::errc::destination_address_required));
            return sim_->send_to(buf, *sim_->peer());
        }
        return sim_->write(buf);
    }
    int fd = io_.fd();
    return try_io(Direction::Write, [&] { return sys::send(fd, buf.data(), buf.size(), MSG_NOSIGNAL); });
}

io::Result<std::size_t> Socket::try_send_to(std::span<const std::byte> buf, const sockaddr_storage& to,
                                            socklen_t to_len) {
    if (sim_) [[unlikely]] {
        auto a = addr_of(to, to_len);
        if (!a) return Err(a.error());
        return sim_->send_to(buf, *a);
    }
    int fd = io_.fd();
    return try_io(Direction::Write, [&] {
        return sys::sendto(fd, buf.data(), buf.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&to), to_len);
    });
}

io::Result<std::size_t> Socket::try_recv_from(std::span<std::byte> buf, sockaddr_storage& from,
                                              socklen_t& from_len) {
    if (sim_) [[unlikely]] {
        SocketAddr a;
        return with_from(sim_->poll_recv_from(nullptr, buf, a, false), a, from, from_len).take();
    }
    int fd = io_.fd();
    return try_io(Direction::Read, [&] {
        from_len = sizeof from;
        return sys::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    });
}

io::Result<void> Socket::connect_datagram(const sockaddr_storage& to, socklen_t to_len) {
    if (sim_) [[unlikely]] {
        auto a = addr_of(to, to_len);
        if (!a) return Err(a.error());
        return sim_->connect_datagram(*a);
    }
    if (sys::connect(io_.fd(), reinterpret_cast<const sockaddr*>(&to), to_len) < 0) return Err(last_error());
    return Ok();
}

io::Result<void> Socket::shutdown(int how) {
    if (sim_) [[unlikely]] return sim_->shutdown(how);
    if (::shutdown(io_.fd(), how) < 0 && errno != ENOTCONN) return Err(last_error());
    return Ok();
}

io::Result<void> Socket::set_option(int level, int name, int value) {
    if (sim_) [[unlikely]] return Ok();  // TCP_NODELAY, TTL...: nothing a simulated packet obeys
    if (::setsockopt(io_.fd(), level, name, &value, sizeof value) < 0) return Err(last_error());
    return Ok();
}

io::Result<int> Socket::option(int level, int name) const {
    if (sim_) [[unlikely]] return Ok(0);
    int value = 0;
    socklen_t len = sizeof value;
    if (::getsockopt(io_.fd(), level, name, &value, &len) < 0) return Err(last_error());
    return Ok(value);
}

io::Result<void> Socket::take_error() {
    if (sim_) [[unlikely]] return Ok();  // a simulated error is reported by the call it fails
    auto err = option(SOL_SOCKET, SO_ERROR);
    if (!err) return Err(err.error());
    if (*err != 0) return Err(io::Error(*err, std::generic_category()));
    return Ok();
}

io::Result<socklen_t> Socket::local(sockaddr_storage& out) const {
    if (sim_) [[unlikely]] return Ok(fill(sim_->local(), out));
    socklen_t len = sizeof out;
    if (::getsockname(io_.fd(), reinterpret_cast<sockaddr*>(&out), &len) < 0) return Err(last_error());
    return Ok(len);
}

io::Result<socklen_t> Socket::peer(sockaddr_storage& out) const {
    if (sim_) [[unlikely]] {
        if (!sim_->peer()) return Err(io::error(std::errc::not_connected));
        return Ok(fill(*sim_->peer(), out));
    }
    socklen_t len = sizeof out;
    if (::getpeername(io_.fd(), reinterpret_cast<sockaddr*>(&out), &len) < 0) return Err(last_error());
    return Ok(len);
}

}  // namespace pollen::net::detail
