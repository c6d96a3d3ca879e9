#include "sim_socket.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace pollen::net::detail::sim {

namespace {
template <class T>
Poll<io::Result<T>> failed(std::errc e) {
    return ready(io::Result<T>(Err(io::error(e))));
}
}  // namespace

SimSocket::SimSocket(std::shared_ptr<Fabric> fabric, HostId host, Kind kind, SocketAddr local)
    : fabric_(std::move(fabric)),
      host_(host),
      kind_(kind),
      state_(kind == Kind::Stream ? State::Connecting : State::Open),
      id_(fabric_->next_socket_id()),
      local_(local) {
    fabric_->add_socket(this);
}

SimSocket::~SimSocket() {
    if (state_ != State::Down) {
        switch (kind_) {
            case Kind::Stream:
                if (state_ == State::Open && !closed_ && !write_shut_) send(Packet::kFin);
                if (peer_) fabric_->remove_connection(this, *peer_);
                break;
            case Kind::Listener:
                // What nobody accepted is reset, as a kernel does when a
                // listening socket with a full backlog closes.
                for (auto& s : backlog_) s->abort();
                backlog_.clear();
                fabric_->remove_port(this);
                break;
            case Kind::Datagram:
                fabric_->remove_port(this);
                break;
        }
    }
    fabric_->remove_socket(this);
}

// ---------------------------------------------------------------- streams

Poll<io::Result<std::size_t>> SimSocket::poll_read(Context* cx, std::span<std::byte> buf, bool peek) {
    if (state_ == State::Down) return failed<std::size_t>(std::errc::connection_aborted);
    std::size_t queued = in_.size() - in_head_;
    if (queued > 0) {
        std::size_t n = std::min(queued, buf.size());
        std::memcpy(buf.data(), in_.data() + in_head_, n);
        if (!peek) {
            in_head_ += n;
            if (in_head_ == in_.size()) {
                in_.clear();
                in_head_ = 0;
            } else if (in_head_ > 4096 && in_head_ * 2 > in_.size()) {
                in_.erase(in_.begin(), in_.begin() + std::ptrdiff_t(in_head_));  // keeps appends amortised
                in_head_ = 0;
            }
        }
        return ready(io::Result<std::size_t>(Ok(n)));
    }
    if (state_ == State::Reset) return failed<std::size_t>(std::errc::connection_reset);
    if (state_ == State::Refused) return failed<std::size_t>(std::errc::connection_refused);
    if (eof_) return ready(io::Result<std::size_t>(Ok(std::size_t{0})));
    if (!cx) return failed<std::size_t>(std::errc::operation_would_block);
    read_waker_ = cx->waker();
    return pending;
}

io::Result<std::size_t> SimSocket::write(std::span<const std::byte> buf) {
    switch (state_) {
        case State::Down:
            return Err(io::error(std::errc::connection_aborted));
        case State::Reset:
            return Err(io::error(std::errc::connection_reset));
        case State::Refused:
            return Err(io::error(std::errc::connection_refused));
        case State::Connecting:
            return Err(io::error(std::errc::not_connected));
        case State::Open:
            break;
    }
    if (write_shut_) return Err(io::error(std::errc::broken_pipe));
    if (buf.empty()) return Ok(std::size_t{0});
    send(Packet::kData, std::vector<std::byte>(buf.begin(), buf.end()));
    return Ok(buf.size());
}

Poll<io::Result<void>> SimSocket::poll_connect(Context& cx) {
    using R = io::Result<void>;
    switch (state_) {
        case State::Open:
            return ready(R(Ok()));
        case State::Refused:
            return ready(R(Err(io::error(std::errc::connection_refused))));
        case State::Reset:
            return ready(R(Err(io::error(std::errc::connection_reset))));
        case State::Down:
            return ready(R(Err(io::error(std::errc::connection_aborted))));
        case State::Connecting:
            break;
    }
    write_waker_ = cx.waker();
    return pending;
}

io::Result<void> SimSocket::shutdown(int how) {
    if (kind_ != Kind::Stream) return Err(io::error(std::errc::not_connected));
    if (how == SHUT_RD) return Ok();
    if (state_ == State::Open && !write_shut_) send(Packet::kFin);
    write_shut_ = true;
    wake_write();
    return Ok();
}

void SimSocket::send(Packet::Kind kind, std::vector<std::byte> bytes) {
    Packet p;
    p.kind = kind;
    p.from = host_;
    p.to = peer_host_;
    p.src = local_;
    p.dst = *peer_;
    p.bytes = std::move(bytes);
    fabric_->send(std::move(p));
}

// ---------------------------------------------------------------- listeners

Poll<io::Result<std::unique_ptr<SimSocket>>> SimSocket::poll_accept(Context& cx) {
    using R = io::Result<std::unique_ptr<SimSocket>>;
    if (state_ == State::Down) return ready(R(Err(io::error(std::errc::connection_aborted))));
    if (!backlog_.empty()) {
        std::unique_ptr<SimSocket> s = std::move(backlog_.front());
        backlog_.pop_front();
        return ready(R(Ok(std::move(s))));
    }
    read_waker_ = cx.waker();
    return pending;
}

void SimSocket::enqueue_accepted(std::unique_ptr<SimSocket> s) {
    backlog_.push_back(std::move(s));
    wake_read();
}

// ---------------------------------------------------------------- datagrams

Poll<io::Result<std::size_t>> SimSocket::poll_recv_from(Context* cx, std::span<std::byte> buf, SocketAddr& from,
                                                        bool peek) {
    if (state_ == State::Down) return failed<std::size_t>(std::errc::connection_aborted);
    if (!datagrams_.empty()) {
        Datagram& d = datagrams_.front();
        std::size_t n = std::min(d.bytes.size(), buf.size());  // the rest is lost, as recvfrom's
        std::memcpy(buf.data(), d.bytes.data(), n);
        from = d.from;
        if (!peek) datagrams_.pop_front();
        return ready(io::Result<std::size_t>(Ok(n)));
    }
    if (!cx) return failed<std::size_t>(std::errc::operation_would_block);
    read_waker_ = cx->waker();
    return pending;
}

io::Result<std::size_t> SimSocket::send_to(std::span<const std::byte> buf, const SocketAddr& to) {
    if (state_ == State::Down) return Err(io::error(std::errc::connection_aborted));
    std::optional<HostId> dst = fabric_->route(host_, to.ip());
    if (!dst) return Err(io::error(std::errc::network_unreachable));
    Packet p;
    p.kind = Packet::kDatagram;
    p.from = host_;
    p.to = *dst;
    p.src = local_;
    if (p.src.ip().is_unspecified()) p.src.set_ip(fabric_->source_ip(host_, to.ip()));
    p.dst = to;
    p.bytes.assign(buf.begin(), buf.end());
    fabric_->send(std::move(p));
    return Ok(buf.size());
}

io::Result<void> SimSocket::connect_datagram(const SocketAddr& peer) {
    if (state_ == State::Down) return Err(io::error(std::errc::connection_aborted));
    if (!fabric_->route(host_, peer.ip())) return Err(io::error(std::errc::network_unreachable));
    peer_ = peer;
    return Ok();
}

// ---------------------------------------------------------------- readiness

io::Ready SimSocket::readiness() const {
    io::Ready r;
    bool failed_state = state_ == State::Reset || state_ == State::Refused || state_ == State::Down;
    switch (kind_) {
        case Kind::Stream:
            if (in_.size() > in_head_) r = r | io::Ready::READABLE;
            if (eof_ || failed_state) r = r | io::Ready::READ_CLOSED;
            if (state_ == State::Open && !write_shut_) r = r | io::Ready::WRITABLE;
            if (failed_state || write_shut_) r = r | io::Ready::WRITE_CLOSED;
            break;
        case Kind::Listener:
            if (!backlog_.empty()) r = r | io::Ready::READABLE;
            if (state_ == State::Down) r = r | io::Ready::ERROR;
            break;
        case Kind::Datagram:
            if (!datagrams_.empty()) r = r | io::Ready::READABLE;
            r = r | io::Ready::WRITABLE;
            if (state_ == State::Down) r = r | io::Ready::ERROR;
            break;
    }
    return r;
}

Poll<io::Result<io::Ready>> SimSocket::poll_ready(Context& cx, io::Interest interest) {
    io::Ready r = readiness();
    io::Ready answer = r.intersection(interest);
    if (r.is_error()) answer = answer | io::Ready::ERROR;
    if (!answer.is_empty()) return ready(io::Result<io::Ready>(Ok(answer)));
    if (interest.is_readable()) read_waker_ = cx.waker();
    if (interest.is_writable()) write_waker_ = cx.waker();
    return pending;
}

// ---------------------------------------------------------------- the Fabric's side

void SimSocket::deliver(Packet& p) {
    if (kind_ == Kind::Datagram) {
        if (peer_ && p.src != *peer_) return;  // a connected socket hears its peer only
        if (datagrams_.size() >= kMaxDatagrams) return;
        datagrams_.push_back({p.src, std::move(p.bytes)});
        wake_read();
        return;
    }
    switch (p.kind) {
        case Packet::kSynAck:
            if (state_ == State::Connecting) {
                state_ = State::Open;
                wake_write();
            }
            return;
        case Packet::kData:
            if (state_ != State::Open) return;
            if (in_.empty()) {
                in_ = std::move(p.bytes);
            } else {
                in_.insert(in_.end(), p.bytes.begin(), p.bytes.end());
            }
            wake_read();
            return;
        case Packet::kFin:
            eof_ = true;
            wake_read();
            return;
        case Packet::kRst:
            state_ = state_ == State::Connecting ? State::Refused : State::Reset;
            if (peer_) fabric_->remove_connection(this, *peer_);
            wake_read();
            wake_write();
            return;
        default:
            return;
    }
}

void SimSocket::set_open(const SocketAddr& peer, HostId peer_host) {
    peer_ = peer;
    peer_host_ = peer_host;
    state_ = State::Open;
}

void SimSocket::host_down() {
    state_ = State::Down;  // what it queued is down too (the same host's), and goes with it
    wake_read();
    wake_write();
}

void SimSocket::abort() {
    if (kind_ != Kind::Stream || closed_ || state_ == State::Down) return;
    if (state_ == State::Open || state_ == State::Connecting) send(Packet::kRst);
    closed_ = true;
    state_ = State::Reset;
    if (peer_) fabric_->remove_connection(this, *peer_);
}

void SimSocket::wake_read() { std::exchange(read_waker_, noop_waker()).wake(); }
void SimSocket::wake_write() { std::exchange(write_waker_, noop_waker()).wake(); }

}  // namespace pollen::net::detail::sim
