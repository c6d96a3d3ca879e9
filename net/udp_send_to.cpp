#include "udp_send_to.hpp"

#include <algorithm>
#include <vector>

#include "addr_error.hpp"
#include "udp_socket.hpp"

namespace pollen::net {

namespace {

/// The first address an IPv4 socket can send to is an IPv4 one; an IPv6
/// socket reaches both families (IPv4 through mapped addresses), so its first.
const SocketAddr* pick_target(const std::vector<SocketAddr>& addrs, const io::Result<SocketAddr>& local) {
    if (addrs.empty()) return nullptr;
    if (local && local.value().is_ipv4()) {
        auto v4 = std::find_if(addrs.begin(), addrs.end(), [](const SocketAddr& a) { return a.is_ipv4(); });
        if (v4 != addrs.end()) return &*v4;
    }
    return &addrs.front();
}

}  // namespace

Poll<UdpSendTo::Output> UdpSendTo::poll(Context& cx) {
    if (lookup_) {
        auto p = lookup_->poll(cx);
        if (p.is_pending()) return pending;
        io::Result<std::vector<SocketAddr>> addrs = p.take();
        lookup_.reset();
        if (!addrs) return ready(Output(Err(failed_ = addrs.error())));
        const SocketAddr* target = pick_target(*addrs, socket_->local_addr());
        if (!target) return ready(Output(Err(failed_ = make_error_code(addr_errc::no_addresses))));
        target_ = *target;
    }
    if (!target_) return ready(Output(Err(failed_)));  // polled again after failing: the same error
    return socket_->poll_send_to(cx, buf_, *target_);
}

}  // namespace pollen::net
