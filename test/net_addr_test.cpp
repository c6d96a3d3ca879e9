// IpAddr / SocketAddr / UnixSocketAddr: parsing, printing, and the round trip
// through sockaddr. Plain values: no runtime needed.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <string>

#include <pollen.hpp>

using namespace pollen;
using namespace pollen::net;

TEST(SocketAddr, ParsesAndPrintsIpv4) {
    auto a = SocketAddr::parse("127.0.0.1:8080");
    ASSERT_TRUE(a.is_ok());
    EXPECT_TRUE(a->is_ipv4());
    EXPECT_EQ(a->ip(), IpAddr::localhost_v4());
    EXPECT_EQ(a->port(), 8080);
    EXPECT_EQ(a->to_string(), "127.0.0.1:8080");
    EXPECT_EQ(a->ip().to_string(), "127.0.0.1");
}

TEST(SocketAddr, ParsesAndPrintsIpv6InBrackets) {
    auto a = SocketAddr::parse("[::1]:443");
    ASSERT_TRUE(a.is_ok());
    EXPECT_TRUE(a->is_ipv6());
    EXPECT_TRUE(a->ip().is_loopback());
    EXPECT_EQ(a->port(), 443);
    EXPECT_EQ(a->to_string(), "[::1]:443");

    auto scoped = SocketAddr::parse("[fe80::1%3]:9");
    ASSERT_TRUE(scoped.is_ok());
    EXPECT_EQ(scoped->scope_id(), 3u);
    EXPECT_EQ(scoped->to_string(), "[fe80::1%3]:9");
}

TEST(SocketAddr, RejectsMalformedText) {
    for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "1.2.3:80",
                            "::1:80", "[::1]", "[::1:80", "[127.0.0.1]:80", "localhost:80", "[::1]:8x"}) {
        auto r = SocketAddr::parse(bad);
        EXPECT_TRUE(r.is_err()) << bad;
        if (r.is_err()) {
            EXPECT_EQ(r.error(), std::errc::invalid_argument) << bad;
        }
    }
}

TEST(IpAddr, ClassifiesLoopbackAndUnspecified) {
    EXPECT_TRUE(IpAddr::localhost_v4().is_loopback());
    EXPECT_TRUE(IpAddr::v4(127, 9, 9, 9).is_loopback());
    EXPECT_TRUE(IpAddr::localhost_v6().is_loopback());
    EXPECT_TRUE(IpAddr::unspecified_v4().is_unspecified());
    EXPECT_TRUE(IpAddr::unspecified_v6().is_unspecified());
    EXPECT_FALSE(IpAddr::v4(10, 0, 0, 1).is_loopback());
    EXPECT_NE(IpAddr::unspecified_v4(), IpAddr::unspecified_v6());
    EXPECT_EQ(IpAddr::parse("2001:db8::1").value().to_string(), "2001:db8::1");
    EXPECT_EQ(IpAddr::parse("::ffff:1.2.3.4").value().octets().size(), 16u);
    EXPECT_TRUE(IpAddr::parse("256.0.0.1").is_err());
}

TEST(SocketAddr, RoundTripsThroughSockaddrStorage) {
    for (const char* text : {"10.1.2.3:65535", "[2001:db8::42]:1", "0.0.0.0:0"}) {
        SocketAddr a = SocketAddr::parse(text).value();
        sockaddr_storage ss;
        socklen_t len = a.to_sockaddr(ss);
        EXPECT_EQ(len, a.is_ipv4() ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
        EXPECT_EQ(ss.ss_family, a.domain());
        auto back = SocketAddr::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
        ASSERT_TRUE(back.is_ok()) << text;
        EXPECT_EQ(*back, a) << text;
    }
    sockaddr_storage unix_ss{};
    unix_ss.ss_family = AF_UNIX;
    auto r = SocketAddr::from_sockaddr(reinterpret_cast<const sockaddr*>(&unix_ss), sizeof unix_ss);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), std::errc::address_family_not_supported);
}

TEST(UnixSocketAddr, KeepsPathsAndRejectsOverlongOnes) {
    auto a = UnixSocketAddr::from_pathname("/tmp/pollen.sock");
    ASSERT_TRUE(a.is_ok());
    EXPECT_EQ(a->as_pathname(), std::string("/tmp/pollen.sock"));
    sockaddr_un un;
    socklen_t len = a->to_sockaddr(un);
    EXPECT_EQ(UnixSocketAddr::from_sockaddr(un, len), *a);

    EXPECT_TRUE(UnixSocketAddr().is_unnamed());
    auto too_long = UnixSocketAddr::from_pathname(std::string(200, 'x'));
    ASSERT_TRUE(too_long.is_err());
    EXPECT_EQ(too_long.error(), std::errc::filename_too_long);
}
