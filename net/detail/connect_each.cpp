#include "connect_each.hpp"

#include <cassert>

#include "../addr_error.hpp"

namespace pollen::net::detail {

Poll<io::Result<Socket>> ConnectEach::poll(Context& cx) {
    using R = io::Result<Socket>;
    assert(!done_ && "pollen: a connect future polled after it completed");
    if (lookup_) {
        auto p = lookup_->poll(cx);
        if (p.is_pending()) return pending;
        io::Result<std::vector<SocketAddr>> addrs = p.take();
        lookup_.reset();
        if (!addrs) {
            done_ = true;
            return ready(R(Err(addrs.error())));
        }
        addrs_ = std::move(*addrs);
        last_error_ = make_error_code(addr_errc::no_addresses);
    }
    for (;;) {
        if (!attempt_) {
            if (next_ == addrs_.size()) {
                done_ = true;
                return ready(R(Err(last_error_)));
            }
            sockaddr_storage ss;
            socklen_t len = addrs_[next_++].to_sockaddr(ss);
            attempt_.emplace(ss, len);
        }
        auto p = attempt_->poll(cx);
        if (p.is_pending()) return pending;
        R r = p.take();
        attempt_.reset();
        if (r) {
            done_ = true;
            return ready(std::move(r));
        }
        // Refused on ::1 says nothing about 127.0.0.1: on to the next address.
        last_error_ = r.error();
    }
}

}  // namespace pollen::net::detail
