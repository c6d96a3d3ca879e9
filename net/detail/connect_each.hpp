#pragma once
/// detail::ConnectEach: the state machine of a TCP connect by name or by list
/// (Tokio's `TcpStream::connect(impl ToSocketAddrs)`): first the addresses
/// (a LookupHost: at once for a literal or a list, else getaddrinfo on the
/// blocking pool), then one ConnectSocket per address, in order, until one
/// connects. Ready with the first connected socket, or the last attempt's
/// error (the lookup's error if it failed, addr_errc::no_addresses if it
/// found nothing). See net/connect.hpp for the public face.
///
/// Woken by the blocking pool's thread while resolving, then by the
/// reactor's thread. Destroying it mid-way detaches the lookup in flight (its
/// answer is dropped) or closes the half-made socket of the attempt in flight.

#include <cstddef>
#include <optional>
#include <vector>

#include "../../core/context.hpp"
#include "../../core/io/error.hpp"
#include "../../core/poll.hpp"
#include "../lookup_host.hpp"
#include "../socket_addr.hpp"
#include "connect_socket.hpp"
#include "socket.hpp"

namespace pollen::net::detail {

class ConnectEach {
public:
    explicit ConnectEach(LookupHost addrs) : lookup_(std::move(addrs)) {}

    Poll<io::Result<Socket>> poll(Context& cx);

private:
    std::optional<LookupHost> lookup_;  // until the addresses are known
    std::vector<SocketAddr> addrs_;
    std::size_t next_ = 0;                  // the next address to try
    std::optional<ConnectSocket> attempt_;  // the connect in flight
    io::Error last_error_;
    bool done_ = false;
};

}  // namespace pollen::net::detail
