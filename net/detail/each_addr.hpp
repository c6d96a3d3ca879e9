#pragma once
/// detail::first_success: the synchronous "try each address in turn" of the
/// binds (and UDP connect) by name, as Tokio's do: `attempt(addr)` runs on
/// each resolved address in order; the first Ok is the answer, else the last
/// error, or addr_errc::no_addresses when there was none to try. Plain calls
/// on the caller's thread; the asynchronous twin is detail::ConnectEach.

#include <utility>
#include <vector>

#include "../../core/io/error.hpp"
#include "../addr_error.hpp"
#include "../socket_addr.hpp"

namespace pollen::net::detail {

template <class T, class Attempt>
io::Result<T> first_success(const io::Result<std::vector<SocketAddr>>& addrs, Attempt&& attempt) {
    if (!addrs) return Err(addrs.error());
    io::Error last = make_error_code(addr_errc::no_addresses);
    for (const SocketAddr& addr : addrs.value()) {
        io::Result<T> r = attempt(addr);
        if (r) return r;
        last = r.error();
    }
    return Err(last);
}

}  // namespace pollen::net::detail
