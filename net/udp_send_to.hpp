#pragma once
/// net::UdpSendTo: the future of `UdpSocket::send_to(buf, "host:port")` and
/// `send_to(buf, host, port)`, Tokio's `send_to(buf, impl ToSocketAddrs)`.
///
/// First the target: a literal at once, a name through lookup_host on the
/// blocking pool (whose thread wakes it). Then one datagram to one address,
/// as Tokio sends to the first address only; where Tokio's first address
/// could not work (an IPv6 one for an IPv4 socket: "localhost" may answer
/// ::1 first), pollen takes the first address of the socket's family.
/// Ready with the bytes sent, or the error (the lookup's; net/addr_error.hpp's
/// for malformed text or a name with no address), else as UdpSocket's
/// send_to. Destroying it mid-way detaches the lookup in flight (its answer is
/// dropped) or sends nothing. It borrows the socket and `buf`.

#include <cstddef>
#include <optional>
#include <span>

#include "../core/future_ext.hpp"
#include "../core/io/error.hpp"
#include "lookup_host.hpp"
#include "socket_addr.hpp"

namespace pollen::net {

class UdpSocket;

class UdpSendTo : public FutureExt<UdpSendTo> {
public:
    using Output = io::Result<std::size_t>;

    UdpSendTo(UdpSocket& socket, std::span<const std::byte> buf, LookupHost target)
        : socket_(&socket), buf_(buf), lookup_(std::move(target)) {}

    Poll<Output> poll(Context& cx);

private:
    UdpSocket* socket_;
    std::span<const std::byte> buf_;
    std::optional<LookupHost> lookup_;  // until the target is known
    std::optional<SocketAddr> target_;
    io::Error failed_;  // why there is no target
};

}  // namespace pollen::net
