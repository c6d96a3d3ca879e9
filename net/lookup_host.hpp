#pragma once
/// lookup_host(host, port): resolves a name to socket addresses (Tokio's
/// `net::lookup_host`), a future of io::Result<std::vector<SocketAddr>>.
///
/// An IP literal ("127.0.0.1", "::1", "[fe80::1%2]:80") is answered at once,
/// without a runtime. Anything else runs getaddrinfo on the runtime's blocking
/// pool (spawn_blocking, at the first poll), and the future is woken from that
/// pool's thread when it is done; errors are in the "pollen.net.gai" category
/// (net/gai_error.hpp). The `lookup_host("host:port")` form splits at the last
/// ':' ("[::1]:80" too); malformed text is Ready at once with an error of
/// net/addr_error.hpp (invalid_socket_address, invalid_port). It is also what
/// Tokio's `ToSocketAddrs` future is to connect and send_to by name (a
/// LookupHost built from a list of addresses is Ready with that list).
/// Destroying the future mid-way detaches the lookup: it finishes on the
/// blocking pool and its answer is dropped. Polled outside a runtime it throws
/// std::logic_error (spawn_blocking does) unless it needs no lookup.
///
/// `detail::resolve_now` is the same answer, synchronously on the calling
/// thread: what the synchronous binds by name use.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../core/future_ext.hpp"
#include "../core/io/error.hpp"
#include "../runtime/join_handle.hpp"
#include "../runtime/spawn_blocking.hpp"
#include "socket_addr.hpp"

namespace pollen::net {

namespace detail {
/// getaddrinfo, blocking; what the blocking pool runs.
io::Result<std::vector<SocketAddr>> resolve_blocking(const std::string& host, std::uint16_t port);
/// "host:port" → host and port ("[v6]:port" loses its brackets).
io::Result<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view host_port);
/// A literal host ("127.0.0.1", "::1") answered as one address; nullopt for a name.
std::optional<std::vector<SocketAddr>> literal_addrs(std::string_view host, std::uint16_t port);
/// What lookup_host answers, but on this thread: a literal at once, a name
/// through getaddrinfo, which blocks this thread until the resolver answers.
io::Result<std::vector<SocketAddr>> resolve_now(std::string_view host, std::uint16_t port);
io::Result<std::vector<SocketAddr>> resolve_now(std::string_view host_port);
}  // namespace detail

class LookupHost : public FutureExt<LookupHost> {
public:
    using Output = io::Result<std::vector<SocketAddr>>;

    LookupHost(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}
    /// Ready at once with `error`.
    explicit LookupHost(io::Error error) : error_(error) {}
    /// Ready at once with `addrs`, resolved already (a literal, a list).
    explicit LookupHost(std::vector<SocketAddr> addrs) : resolved_(std::move(addrs)) {}

    Poll<Output> poll(Context& cx);

private:
    std::string host_;
    std::uint16_t port_ = 0;
    io::Error error_;
    std::optional<std::vector<SocketAddr>> resolved_;
    std::optional<JoinHandle<Output>> job_;
};

inline LookupHost lookup_host(std::string host, std::uint16_t port) {
    return LookupHost(std::move(host), port);
}

inline LookupHost lookup_host(std::string_view host_port) {
    // Scoped IPv6 literals ("[fe80::1%2]:80") are literals too: SocketAddr parses them.
    if (auto addr = SocketAddr::parse(host_port)) return LookupHost(std::vector<SocketAddr>{*addr});
    auto hp = detail::split_host_port(host_port);
    if (!hp) return LookupHost(hp.error());
    return LookupHost(std::move(hp->first), hp->second);
}

}  // namespace pollen::net
