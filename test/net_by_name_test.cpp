// Connect and bind by name, Tokio's ToSocketAddrs: "host:port" text and
// (host, port) pairs, literals parsed without a lookup, names resolved and
// each address tried in turn (first success, else the last error), malformed
// text and names that do not resolve as errors, and cancellation of a connect
// in the middle of its lookup or of one of its attempts.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pollen.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>
#include <pollen/net/addr_error.hpp>
#include <pollen/net/detail/each_addr.hpp>
#include <pollen/net/udp_send_to.hpp>
#include <pollen/core/detail/syscall.hpp>

#include "support/counting_waker.hpp"
#include "support/enter_runtime.hpp"

using namespace pollen;
using namespace pollen::net;

namespace sys = pollen::detail::sys;

namespace {

constexpr const char* kUnresolvable = "pollen-no-such-host.invalid";  // RFC 6761: never resolves

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string text(std::span<const std::byte> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

Runtime make_runtime() { return Builder::new_multi_thread().worker_threads(2).enable_all().build(); }
Runtime current_thread() { return Builder::new_current_thread().enable_all().build(); }

SocketAddr v4(std::uint16_t port) { return SocketAddr(IpAddr::localhost_v4(), port); }
SocketAddr v6(std::uint16_t port) { return SocketAddr(IpAddr::localhost_v6(), port); }

TcpListener listen_on(Runtime& rt, SocketAddr addr) {
    return rt.block_on(lazy([addr] { return TcpListener::bind(addr); })).unwrap();
}

/// A loopback port nothing listens on (bound, then closed).
std::uint16_t closed_port(Runtime& rt, IpAddr ip = IpAddr::localhost_v4()) {
    return listen_on(rt, SocketAddr(ip, 0)).local_addr().value().port();
}

bool ipv6_loopback_available(Runtime& rt) {
    return rt.block_on(lazy([] { return TcpListener::bind(v6(0)); })).is_ok();
}

/// Connects with `connect` (a future of io::Result<TcpStream>) while `listener`
/// accepts; checks both ends agree on the connection.
template <class ConnectFuture>
io::Result<TcpStream> connect_and_accept(Runtime& rt, TcpListener& listener, ConnectFuture connect) {
    auto client = rt.block_on(rt.spawn(std::move(connect))).unwrap();
    if (!client) return client;
    auto accepted = rt.block_on(listener.accept());
    EXPECT_TRUE(accepted.is_ok());
    if (accepted) {
        EXPECT_EQ(accepted->second, client->local_addr().value());
    }
    return client;
}

/// Fails successive connect() calls with scripted errno values (0: the real
/// call), and counts them. Installed for its lifetime: declare it before the
/// Runtime, as the seam asks.
class ConnectScript final : public sys::FaultInjector {
public:
    explicit ConnectScript(std::deque<int> errors = {}) : errors_(std::move(errors)) {
        sys::set_fault_injector(this);
    }
    ~ConnectScript() override { sys::set_fault_injector(nullptr); }
    ConnectScript(const ConnectScript&) = delete;
    ConnectScript& operator=(const ConnectScript&) = delete;

    int connects() const {
        std::lock_guard lock(mu_);
        return connects_;
    }
    sys::Fault before(sys::Call call, int, std::size_t) noexcept override {
        if (call != sys::Call::Connect) return {};
        std::lock_guard lock(mu_);
        ++connects_;
        if (errors_.empty()) return {};
        int e = errors_.front();
        errors_.pop_front();
        return {e, SIZE_MAX};
    }
    void after(sys::Call, int, long) noexcept override {}

private:
    mutable std::mutex mu_;
    std::deque<int> errors_;
    int connects_ = 0;
};

}  // namespace

// ---------------------------------------------------------------- TcpStream::connect

TEST(TcpConnectByName, ConnectsToIpv4AndIpv6LiteralText) {
    Runtime rt = make_runtime();
    TcpListener l4 = listen_on(rt, v4(0));
    std::string t4 = "127.0.0.1:" + std::to_string(l4.local_addr().value().port());
    auto c4 = connect_and_accept(rt, l4, TcpStream::connect(t4));
    ASSERT_TRUE(c4.is_ok()) << c4.error().message();
    EXPECT_EQ(c4->peer_addr().value(), l4.local_addr().value());

    if (!ipv6_loopback_available(rt)) GTEST_SKIP() << "no IPv6 loopback on this machine";
    TcpListener l6 = listen_on(rt, v6(0));
    std::uint16_t p6 = l6.local_addr().value().port();
    auto c6 = connect_and_accept(rt, l6, TcpStream::connect("[::1]:" + std::to_string(p6)));
    ASSERT_TRUE(c6.is_ok()) << c6.error().message();
    EXPECT_EQ(c6->peer_addr().value(), v6(p6));
    auto c6b = connect_and_accept(rt, l6, TcpStream::connect("::1", p6));  // (host, port): no brackets
    ASSERT_TRUE(c6b.is_ok()) << c6b.error().message();
}

TEST(TcpConnectByName, ALiteralStartsConnectingAtTheFirstPollWhileANameIsLookedUpFirst) {
    ConnectScript script;
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    TcpListener listener = TcpListener::bind(v4(0)).unwrap();
    std::uint16_t port = listener.local_addr().value().port();
    test::CountingWaker cw;

    auto literal = TcpStream::connect("127.0.0.1:" + std::to_string(port));
    (void)test::poll_once(literal, cw);
    EXPECT_EQ(script.connects(), 1) << "a literal needs no lookup before connect()";

    auto by_name = TcpStream::connect("localhost", port);
    EXPECT_TRUE(test::poll_once(by_name, cw).is_pending());  // getaddrinfo runs on the blocking pool
    // The pool thread may finish the lookup before this poll looks at its
    // JoinHandle (a warm resolver, a slow sanitizer build), and then the
    // name's connect starts in this same poll: at most one more.
    EXPECT_LE(script.connects(), 2);
    std::optional<io::Result<TcpStream>> done;
    EXPECT_TRUE(test::run_until(rt, [&] {
        if (done) return true;
        Context cx(noop_waker_ref());
        if (auto p = by_name.poll(cx); p.is_ready()) done.emplace(p.take());
        return done.has_value();
    }));
    ASSERT_TRUE(done && done->is_ok());
    EXPECT_EQ(script.connects(), 2);
}

TEST(TcpConnectByName, ConnectsToLocalhostByHostAndPortAndByText) {
    Runtime rt = make_runtime();
    // Only 127.0.0.1 listens: if "localhost" gives ::1 first, that one is refused and the next is tried.
    TcpListener listener = listen_on(rt, v4(0));
    std::uint16_t port = listener.local_addr().value().port();
    auto a = connect_and_accept(rt, listener, TcpStream::connect("localhost", port));
    ASSERT_TRUE(a.is_ok()) << a.error().message();
    EXPECT_EQ(a->peer_addr().value(), v4(port));
    auto b = connect_and_accept(rt, listener, TcpStream::connect("localhost:" + std::to_string(port)));
    ASSERT_TRUE(b.is_ok()) << b.error().message();
}

TEST(TcpConnectByName, ReachesIpv4WhenIpv6IsTriedFirstAndRefused) {
    Runtime rt = make_runtime();
    TcpListener listener = listen_on(rt, v4(0));
    std::uint16_t port = listener.local_addr().value().port();
    // Nothing listens on [::1]:port (refused; unreachable without IPv6): an error, then the next address.
    auto c = connect_and_accept(rt, listener, TcpStream::connect({v6(port), v4(port)}));
    ASSERT_TRUE(c.is_ok()) << c.error().message();
    EXPECT_EQ(c->peer_addr().value(), v4(port));
}

TEST(TcpConnectByName, TriesEachAddressInTurnAndStopsAtTheFirstThatConnects) {
    ConnectScript script({ENETUNREACH, ECONNREFUSED});  // the first two attempts fail
    Runtime rt = make_runtime();
    TcpListener listener = listen_on(rt, v4(0));
    SocketAddr good = listener.local_addr().value();
    auto c = connect_and_accept(rt, listener, TcpStream::connect({good, good, good, v4(closed_port(rt))}));
    ASSERT_TRUE(c.is_ok()) << c.error().message();
    EXPECT_EQ(script.connects(), 3);  // the fourth address is never tried
}

TEST(TcpConnectByName, ReportsTheLastAddresssErrorWhenEveryAddressFails) {
    ConnectScript script({0, ENETUNREACH, ENETUNREACH, 0});
    Runtime rt = make_runtime();
    SocketAddr closed = v4(closed_port(rt));
    // Real refusal first, then the injected one: the answer is the last.
    auto r1 = rt.block_on(rt.spawn(TcpStream::connect({closed, closed}))).unwrap();
    ASSERT_TRUE(r1.is_err());
    EXPECT_EQ(r1.error(), std::errc::network_unreachable);
    auto r2 = rt.block_on(rt.spawn(TcpStream::connect({closed, closed}))).unwrap();
    ASSERT_TRUE(r2.is_err());
    EXPECT_EQ(r2.error(), std::errc::connection_refused);
    EXPECT_EQ(script.connects(), 4);
}

TEST(TcpConnectByName, AnEmptyListIsInvalidInput) {
    Runtime rt = make_runtime();
    auto r = rt.block_on(TcpStream::connect(std::vector<SocketAddr>{}));
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), addr_errc::no_addresses);
    EXPECT_EQ(r.error(), std::errc::invalid_argument);
    EXPECT_EQ(r.error().message(), "could not resolve to any address");
}

TEST(TcpConnectByName, MalformedTextIsInvalidInputWithAClearMessage) {
    Runtime rt = make_runtime();
    struct Case {
        const char* text;
        addr_errc why;
    };
    for (Case c : {Case{"localhost", addr_errc::invalid_socket_address}, Case{":80", addr_errc::invalid_socket_address},
                   Case{"[]:80", addr_errc::invalid_socket_address}, Case{"localhost:", addr_errc::invalid_port},
                   Case{"localhost:http", addr_errc::invalid_port}, Case{"127.0.0.1:65536", addr_errc::invalid_port}}) {
        auto r = rt.block_on(TcpStream::connect(std::string_view(c.text)));
        ASSERT_TRUE(r.is_err()) << c.text;
        EXPECT_EQ(r.error(), c.why) << c.text;
        EXPECT_EQ(r.error(), std::errc::invalid_argument) << c.text;
        EXPECT_EQ(r.error().category().name(), std::string("pollen.net.addr"));
        EXPECT_NE(r.error().message().find(c.why == addr_errc::invalid_port ? "invalid port" : "invalid socket address"),
                  std::string::npos)
            << r.error().message();
    }
}

TEST(TcpConnectByName, ANameThatDoesNotResolveIsAnErrorNotAHang) {
    Runtime rt = make_runtime();
    auto a = rt.block_on(rt.spawn(TcpStream::connect(kUnresolvable, 80))).unwrap();
    ASSERT_TRUE(a.is_err());
    EXPECT_EQ(&a.error().category(), &gai_category()) << a.error().message();
    auto b = rt.block_on(rt.spawn(TcpStream::connect(std::string(kUnresolvable) + ":80"))).unwrap();
    ASSERT_TRUE(b.is_err());
    EXPECT_EQ(b.error(), a.error());
}

TEST(TcpConnectByName, DestroyedMidLookupOrMidAttemptLeavesNothingBehind) {
    ConnectScript script;
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    TcpListener listener = TcpListener::bind(v4(0)).unwrap();
    std::uint16_t port = listener.local_addr().value().port();
    std::uint16_t refused = closed_port(rt);
    // By name: cut in the lookup and in the refused attempt. By list: a
    // refused address first, then the listener, so cuts fall in both attempts.
    auto r = pollen::testing::cancel_at_every_point([&] { return TcpStream::connect("localhost", refused); })
                 .step([&](const pollen::testing::Step& s) {
                     EXPECT_TRUE(test::run_until(rt, [&] { return s.woken_since_poll(); })) << "never woken";
                 })
                 .on_output([](io::Result<TcpStream>& c) { return c.is_err(); })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    EXPECT_GE(r.points, 2u);  // at least one cut in the middle of the lookup
    auto ok = pollen::testing::cancel_at_every_point([&] { return TcpStream::connect({v4(refused), v4(port)}); })
                  .step([&](const pollen::testing::Step& s) {
                      EXPECT_TRUE(test::run_until(rt, [&] { return s.woken_since_poll(); })) << "never woken";
                  })
                  .on_output([](io::Result<TcpStream>& c) { return c.is_ok(); })
                  .run();
    EXPECT_TRUE(ok.ok()) << ok;
    EXPECT_GE(ok.points, 2u);  // at least one cut with a connect in flight
    EXPECT_TRUE(rt.block_on(listener.accept()).is_ok());  // the listener is still usable
}

// ---------------------------------------------------------------- TcpListener::bind

TEST(TcpListenerByName, BindsLiteralTextAndLocalhost) {
    Runtime rt = make_runtime();
    rt.block_on(lazy([&] {
        auto a = TcpListener::bind("127.0.0.1:0");
        ASSERT_TRUE(a.is_ok()) << a.error().message();
        EXPECT_EQ(a->local_addr().value().ip(), IpAddr::localhost_v4());
        auto b = TcpListener::bind("localhost", 0);
        ASSERT_TRUE(b.is_ok()) << b.error().message();
        EXPECT_TRUE(b->local_addr().value().ip().is_loopback());
        auto c = TcpListener::bind("localhost:0");
        ASSERT_TRUE(c.is_ok()) << c.error().message();
    }));
    if (!ipv6_loopback_available(rt)) GTEST_SKIP() << "no IPv6 loopback on this machine";
    auto v6l = rt.block_on(lazy([] { return TcpListener::bind("[::1]:0"); }));
    ASSERT_TRUE(v6l.is_ok()) << v6l.error().message();
    EXPECT_EQ(v6l->local_addr().value().ip(), IpAddr::localhost_v6());
}

TEST(TcpListenerByName, AListenerBoundByNameIsReachedByName) {
    Runtime rt = make_runtime();
    TcpListener listener = rt.block_on(lazy([] { return TcpListener::bind("localhost", 0); })).unwrap();
    std::uint16_t port = listener.local_addr().value().port();
    auto c = connect_and_accept(rt, listener, TcpStream::connect("localhost", port));
    ASSERT_TRUE(c.is_ok()) << c.error().message();
}

TEST(TcpListenerByName, ReportsTheLastErrorWhenNoAddressBinds) {
    Runtime rt = make_runtime();
    TcpListener taken = listen_on(rt, v4(0));
    std::uint16_t port = taken.local_addr().value().port();
    auto r = rt.block_on(lazy([port] { return TcpListener::bind("127.0.0.1", port); }));
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), std::errc::address_in_use);
}

TEST(TcpListenerByName, MalformedTextAndUnresolvableNamesAreErrors) {
    Runtime rt = make_runtime();
    rt.block_on(lazy([] {
        auto bad = TcpListener::bind("127.0.0.1");
        ASSERT_TRUE(bad.is_err());
        EXPECT_EQ(bad.error(), addr_errc::invalid_socket_address);
        auto port = TcpListener::bind("127.0.0.1:99999");
        ASSERT_TRUE(port.is_err());
        EXPECT_EQ(port.error(), addr_errc::invalid_port);
        auto name = TcpListener::bind(kUnresolvable, 0);
        ASSERT_TRUE(name.is_err());
        EXPECT_EQ(&name.error().category(), &gai_category()) << name.error().message();
    }));
}

TEST(EachAddress, FirstSuccessTriesInOrderAndKeepsTheLastError) {
    std::vector<SocketAddr> tried;
    auto attempt = [&](const SocketAddr& a) -> io::Result<int> {
        tried.push_back(a);
        if (a.port() == 3) return Ok(3);
        return Err(io::Error(a.port(), std::generic_category()));
    };
    auto addrs = [](std::vector<SocketAddr> v) { return io::Result<std::vector<SocketAddr>>(Ok(std::move(v))); };
    EXPECT_EQ(net::detail::first_success<int>(addrs({v4(1), v4(3), v4(2)}), attempt).value(), 3);
    EXPECT_EQ(tried, (std::vector{v4(1), v4(3)}));
    auto none = net::detail::first_success<int>(addrs({v4(EINVAL), v4(EPERM)}), attempt);
    EXPECT_EQ(none.error(), std::errc::operation_not_permitted);
    EXPECT_EQ(net::detail::first_success<int>(addrs({}), attempt).error(), addr_errc::no_addresses);
    io::Result<std::vector<SocketAddr>> failed(Err(io::error(std::errc::io_error)));
    EXPECT_EQ(net::detail::first_success<int>(failed, attempt).error(), std::errc::io_error);
}

// ---------------------------------------------------------------- UdpSocket

TEST(UdpSocketByName, BindsTextAndConnectsAndSendsByName) {
    Runtime rt = make_runtime();
    UdpSocket a = rt.block_on(lazy([] { return UdpSocket::bind("127.0.0.1:0"); })).unwrap();
    UdpSocket b = rt.block_on(lazy([] { return UdpSocket::bind("localhost", 0); })).unwrap();
    std::uint16_t pb = b.local_addr().value().port();
    std::byte buf[16];

    EXPECT_EQ(rt.block_on(a.send_to(bytes("by text"), "127.0.0.1:" + std::to_string(pb))).value(), 7u);
    auto got = rt.block_on(b.recv_from(buf)).unwrap();
    EXPECT_EQ(text(std::span(buf).first(got.first)), "by text");
    EXPECT_EQ(got.second, a.local_addr().value());

    EXPECT_EQ(rt.block_on(rt.spawn(a.send_to(bytes("by name"), "localhost", pb))).unwrap().value(), 7u);
    got = rt.block_on(b.recv_from(buf)).unwrap();
    EXPECT_EQ(text(std::span(buf).first(got.first)), "by name");

    ASSERT_TRUE(a.connect("localhost", pb).is_ok());
    EXPECT_EQ(a.peer_addr().value(), v4(pb));
    ASSERT_TRUE(a.connect("127.0.0.1:" + std::to_string(pb)).is_ok());
    EXPECT_EQ(rt.block_on(a.send(bytes("connected"))).value(), 9u);
    EXPECT_EQ(text(std::span(buf).first(rt.block_on(b.recv(buf)).value())), "connected");
}

TEST(UdpSocketByName, AnIpv4SocketSkipsIpv6Addresses) {
    Runtime rt = make_runtime();
    UdpSocket a = rt.block_on(lazy([] { return UdpSocket::bind(v4(0)); })).unwrap();
    UdpSocket b = rt.block_on(lazy([] { return UdpSocket::bind(v4(0)); })).unwrap();
    std::uint16_t pb = b.local_addr().value().port();
    // send_to's target: ::1 first (as "localhost" may answer), but an IPv4 socket takes 127.0.0.1.
    auto sent = rt.block_on(UdpSendTo(a, bytes("v4"), LookupHost(std::vector{v6(pb), v4(pb)})));
    ASSERT_TRUE(sent.is_ok()) << sent.error().message();
    std::byte buf[8];
    EXPECT_EQ(rt.block_on(b.recv(buf)).value(), 2u);
    // connect on its own: [::1] is not reachable from an IPv4 socket.
    EXPECT_TRUE(a.connect("[::1]:" + std::to_string(pb)).is_err());
}

TEST(UdpSocketByName, MalformedTextAndUnresolvableNamesAreErrors) {
    Runtime rt = make_runtime();
    UdpSocket a = rt.block_on(lazy([] { return UdpSocket::bind(v4(0)); })).unwrap();
    auto bad = rt.block_on(a.send_to(bytes("x"), "localhost"));
    ASSERT_TRUE(bad.is_err());
    EXPECT_EQ(bad.error(), addr_errc::invalid_socket_address);
    auto name = rt.block_on(rt.spawn(a.send_to(bytes("x"), kUnresolvable, 9))).unwrap();
    ASSERT_TRUE(name.is_err());
    EXPECT_EQ(&name.error().category(), &gai_category()) << name.error().message();
    EXPECT_EQ(a.connect("127.0.0.1:port").error(), addr_errc::invalid_port);
    EXPECT_TRUE(a.connect(kUnresolvable, 9).is_err());
    auto bind = rt.block_on(lazy([] { return UdpSocket::bind(":0"); }));
    ASSERT_TRUE(bind.is_err());
    EXPECT_EQ(bind.error(), std::errc::invalid_argument);
}
