// UdpSocket's multicast options and ttl (Tokio's): join/leave on the
// loopback interface, argument checks, loop and ttl read back. Delivery to
// the group is not asserted: it depends on the machine's multicast routes.
#include <gtest/gtest.h>

#include <pollen.hpp>

using namespace pollen;
using namespace pollen::net;

namespace {
template <class T>
T unwrap(io::Result<T> r) {
    EXPECT_TRUE(r.is_ok()) << (r.is_ok() ? "" : r.error().message());
    return std::move(r).value();
}
}  // namespace

TEST(UdpMulticast, JoinAndLeaveAGroupOnLoopback) {
    Runtime rt = Builder::new_current_thread().build();
    auto guard = rt.enter();
    UdpSocket s = unwrap(UdpSocket::bind(SocketAddr(IpAddr::unspecified_v4(), 0)));
    IpAddr group = IpAddr::v4(239, 255, 0, 1);
    ASSERT_TRUE(s.join_multicast_v4(group, IpAddr::localhost_v4()).is_ok());
    ASSERT_TRUE(s.leave_multicast_v4(group, IpAddr::localhost_v4()).is_ok());
    // Not a member any more: leaving again is the kernel's error.
    EXPECT_TRUE(s.leave_multicast_v4(group, IpAddr::localhost_v4()).is_err());
}

TEST(UdpMulticast, ANonMulticastOrWrongFamilyGroupIsInvalid) {
    Runtime rt = Builder::new_current_thread().build();
    auto guard = rt.enter();
    UdpSocket s = unwrap(UdpSocket::bind(SocketAddr(IpAddr::unspecified_v4(), 0)));
    auto unicast = s.join_multicast_v4(IpAddr::v4(10, 0, 0, 1), IpAddr::unspecified_v4());
    ASSERT_TRUE(unicast.is_err());
    EXPECT_EQ(unicast.error(), std::errc::invalid_argument);
    auto v6_group = s.join_multicast_v4(*IpAddr::parse("ff02::1"), IpAddr::unspecified_v4());
    ASSERT_TRUE(v6_group.is_err());
    EXPECT_EQ(v6_group.error(), std::errc::invalid_argument);
    auto v4_in_v6 = s.join_multicast_v6(IpAddr::v4(239, 255, 0, 1), 0);
    ASSERT_TRUE(v4_in_v6.is_err());
    EXPECT_EQ(v4_in_v6.error(), std::errc::invalid_argument);
}

TEST(UdpMulticast, LoopAndTtlReadBackWhatWasSet) {
    Runtime rt = Builder::new_current_thread().build();
    auto guard = rt.enter();
    UdpSocket s = unwrap(UdpSocket::bind(SocketAddr(IpAddr::unspecified_v4(), 0)));
    EXPECT_TRUE(unwrap(s.multicast_loop_v4()));  // the kernel's default
    ASSERT_TRUE(s.set_multicast_loop_v4(false).is_ok());
    EXPECT_FALSE(unwrap(s.multicast_loop_v4()));
    EXPECT_EQ(unwrap(s.multicast_ttl_v4()), 1u);
    ASSERT_TRUE(s.set_multicast_ttl_v4(4).is_ok());
    EXPECT_EQ(unwrap(s.multicast_ttl_v4()), 4u);
    ASSERT_TRUE(s.set_ttl(17).is_ok());
    EXPECT_EQ(unwrap(s.ttl()), 17u);
}
