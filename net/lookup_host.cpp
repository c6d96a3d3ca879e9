#include "lookup_host.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <charconv>
#include <memory>

#include "addr_error.hpp"
#include "detail/sim_fabric.hpp"
#include "gai_error.hpp"

namespace pollen::net {

namespace detail {

io::Result<std::vector<SocketAddr>> resolve_blocking(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
    addrinfo* list = nullptr;
    std::string service = std::to_string(port);
    int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
    if (rc != 0) return Err(make_gai_error(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(list, &::freeaddrinfo);
    std::vector<SocketAddr> out;
    for (addrinfo* ai = list; ai; ai = ai->ai_next) {
        auto a = SocketAddr::from_sockaddr(ai->ai_addr, ai->ai_addrlen);
        if (a) out.push_back(*a);
    }
    return Ok(std::move(out));
}

io::Result<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view host_port) {
    std::size_t colon = host_port.rfind(':');
    if (colon == std::string_view::npos) return Err(make_error_code(addr_errc::invalid_socket_address));
    std::string_view host = host_port.substr(0, colon), port_text = host_port.substr(colon + 1);
    std::uint16_t port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size())
        return Err(make_error_code(addr_errc::invalid_port));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) return Err(make_error_code(addr_errc::invalid_socket_address));
    return Ok(std::pair{std::string(host), port});
}

std::optional<std::vector<SocketAddr>> literal_addrs(std::string_view host, std::uint16_t port) {
    auto ip = IpAddr::parse(host);
    if (!ip) return std::nullopt;
    return std::vector<SocketAddr>{SocketAddr(*ip, port)};
}

io::Result<std::vector<SocketAddr>> resolve_now(std::string_view host, std::uint16_t port) {
    if (auto addrs = literal_addrs(host, port)) return Ok(std::move(*addrs));
    // A simulated network answers with its hosts' addresses.
    if (sim::Fabric* f = sim::Fabric::current()) return f->resolve(host, port);
    return resolve_blocking(std::string(host), port);
}

io::Result<std::vector<SocketAddr>> resolve_now(std::string_view host_port) {
    if (auto addr = SocketAddr::parse(host_port)) return Ok(std::vector<SocketAddr>{*addr});
    auto hp = split_host_port(host_port);
    if (!hp) return Err(hp.error());
    return resolve_now(hp->first, hp->second);
}

}  // namespace detail

Poll<LookupHost::Output> LookupHost::poll(Context& cx) {
    if (error_) return ready(Output(Err(error_)));
    if (resolved_) {
        Output out(Ok(std::move(*resolved_)));
        resolved_.reset();
        error_ = io::error(std::errc::operation_canceled);  // polled again after Ready: an error, not a crash
        return ready(std::move(out));
    }
    if (!job_) {
        // A literal needs no resolver, and no trip through the blocking pool.
        if (auto addrs = detail::literal_addrs(host_, port_)) return ready(Output(Ok(std::move(*addrs))));
        if (detail::sim::Fabric* f = detail::sim::Fabric::current()) {
            error_ = io::error(std::errc::operation_canceled);  // polled again after Ready: an error, not a crash
            return ready(f->resolve(host_, port_));
        }
        job_.emplace(spawn_blocking([host = host_, port = port_] { return detail::resolve_blocking(host, port); }));
    }
    auto p = job_->poll(cx);
    if (p.is_pending()) return pending;
    auto joined = p.take();
    job_.reset();
    error_ = io::error(std::errc::operation_canceled);  // polled again after Ready: an error, not a crash
    if (!joined) return ready(Output(Err(io::error(std::errc::operation_canceled))));
    return ready(std::move(*joined));
}

}  // namespace pollen::net
