// lookup_host: names resolved on the blocking pool, literals answered at
// once, malformed "host:port" text, and the getaddrinfo error category.
#include <gtest/gtest.h>
#include <netdb.h>

#include <algorithm>
#include <string>
#include <vector>

#include <pollen.hpp>

using namespace pollen;
using namespace pollen::net;

namespace {
Runtime make_runtime() { return Builder::new_multi_thread().worker_threads(2).enable_all().build(); }
}  // namespace

TEST(LookupHost, ResolvesLocalhostToLoopbackAddresses) {
    Runtime rt = make_runtime();
    auto r = rt.block_on(rt.spawn(lookup_host("localhost", 8080))).unwrap();
    ASSERT_TRUE(r.is_ok()) << r.error().message();
    ASSERT_FALSE(r->empty());
    for (const SocketAddr& a : *r) {
        EXPECT_TRUE(a.ip().is_loopback()) << a.to_string();
        EXPECT_EQ(a.port(), 8080);
    }
}

TEST(LookupHost, AnswersIpLiteralsWithoutResolving) {
    Runtime rt = make_runtime();
    auto v4 = rt.block_on(lookup_host("127.0.0.1:80"));
    ASSERT_TRUE(v4.is_ok());
    EXPECT_EQ(*v4, std::vector{SocketAddr::parse("127.0.0.1:80").value()});
    auto v6 = rt.block_on(lookup_host("[::1]:443"));
    ASSERT_TRUE(v6.is_ok());
    EXPECT_EQ(*v6, std::vector{SocketAddr::parse("[::1]:443").value()});
}

TEST(LookupHost, RejectsTextWithoutAValidPort) {
    Runtime rt = make_runtime();
    for (const char* bad : {"localhost", "localhost:", "localhost:http", ":80", "localhost:70000"}) {
        auto r = rt.block_on(lookup_host(std::string_view(bad)));
        ASSERT_TRUE(r.is_err()) << bad;
        EXPECT_EQ(r.error(), std::errc::invalid_argument) << bad;
    }
}

TEST(LookupHost, ReportsGetaddrinfoFailuresInItsOwnCategory) {
    std::error_code e = make_gai_error(EAI_NONAME);
    EXPECT_EQ(&e.category(), &gai_category());
    EXPECT_STREQ(e.category().name(), "pollen.net.gai");
    EXPECT_FALSE(e.message().empty());
    EXPECT_EQ(make_gai_error(EAI_AGAIN), std::errc::resource_unavailable_try_again);
}

TEST(LookupHost, DestroyedMidWayDetachesTheLookup) {
    Runtime rt = make_runtime();
    rt.block_on(lazy([] {
        auto fut = lookup_host("localhost", 1);
        Context cx(noop_waker_ref());
        (void)fut.poll(cx);  // starts getaddrinfo on the blocking pool
    }));                     // the future is gone; the lookup finishes and is dropped
    auto again = rt.block_on(rt.spawn(lookup_host("localhost", 2))).unwrap();
    EXPECT_TRUE(again.is_ok());
}
