// The channel samples (issue 5), run as their users would: each binary
// ($POLLEN_BUILD/samples/NAME, "build" by default) must exit 0 and print the
// lines its comments promise. streams, pipeline and notifications run on a
// paused clock, so their times are exact; chat_server is talked to with
// plain blocking sockets, and rate_limited_client runs against a started
// http_hello. Waits have generous limits that only turn a hang into a failure.
#include "support/sample_process.hpp"

#include <string>

using namespace std::chrono_literals;
using namespace pollen::test_support;

TEST(SamplesChannels, StreamsPrintsExactPausedClockTimes) {
    CommandRun r = run_command(sample_path("streams"));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_PRINTS(r, "t=100ms received apple");
    EXPECT_PRINTS(r, "t=300ms received cherry");
    EXPECT_PRINTS(r, "the stream ended");
    EXPECT_PRINTS(r, "t=0ms tick");
    EXPECT_PRINTS(r, "t=150ms message 1");
    EXPECT_PRINTS(r, "t=250ms tick");
    EXPECT_PRINTS(r, "t=0ms item a");
    EXPECT_PRINTS(r, "t=300ms item d");
    EXPECT_PRINTS(r, "t=50ms Ok(quick)");
    EXPECT_PRINTS(r, "t=250ms Err(Elapsed)");
    EXPECT_PRINTS(r, "t=350ms Ok(late)");
    EXPECT_PRINTS(r, "t=400ms Ok(quick again)");
}

TEST(SamplesChannels, PipelineBackpressureBoundsItemsInFlight) {
    CommandRun r = run_command(sample_path("pipeline"));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_PRINTS(r, "sum of squares = 338350");
    EXPECT_PRINTS(r, "backpressure held memory flat");
    EXPECT_PRINTS(r, "in_flight=");
    EXPECT_PRINTS(r, "items/s");
}

TEST(SamplesChannels, NotificationsBroadcastLagsAndWatchCoalesces) {
    CommandRun r = run_command(sample_path("notifications"));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_PRINTS(r, "alice    got 'news #1'");
    EXPECT_PRINTS(r, "alice    got 'news #8'");
    EXPECT_PRINTS(r, "alice    Closed");
    EXPECT_PRINTS(r, "bob      subscribes");
    EXPECT_PRINTS(r, "bob      got 'news #4'");
    EXPECT_EQ(r.output.find("bob      got 'news #3'"), std::string::npos) << r.output;
    EXPECT_PRINTS(r, "bob      leaves after 2 messages");
    EXPECT_PRINTS(r, "slowpoke Lagged(");
    EXPECT_PRINTS(r, "initial config: verbosity=1 mode=normal");
    EXPECT_PRINTS(r, "config changed: verbosity=2 mode=normal");
    EXPECT_PRINTS(r, "config changed: verbosity=3 mode=turbo");
    EXPECT_EQ(r.output.find("config changed: verbosity=3 mode=fast"), std::string::npos) << r.output;
    EXPECT_PRINTS(r, "stop watching");
}

TEST(SamplesChannels, ChatServerRelaysLinesWithNamesAndStopsOnSigterm) {
    ServerProcess server("chat_server");
    ASSERT_TRUE(server.port()) << "no 'listening port=P' line";
    int port = *server.port();

    Client alice(port);
    ASSERT_TRUE(alice.connected());
    ASSERT_TRUE(alice.send("alice\n"));
    std::string a = alice.recv_until("*** welcome, alice\n");
    ASSERT_NE(a.find("*** welcome, alice\n"), std::string::npos) << a;

    Client bob(port);
    ASSERT_TRUE(bob.connected());
    ASSERT_TRUE(bob.send("bob\n"));
    std::string b = bob.recv_until("*** welcome, bob\n");
    ASSERT_NE(b.find("*** welcome, bob\n"), std::string::npos) << b;

    a = alice.recv_until("*** bob joined\n");
    EXPECT_NE(a.find("*** bob joined\n"), std::string::npos) << a;

    ASSERT_TRUE(bob.send("hello, alice\n"));
    a = alice.recv_until("bob: hello, alice\n");
    EXPECT_NE(a.find("bob: hello, alice\n"), std::string::npos) << a;

    ASSERT_TRUE(alice.send("hi bob\r\n"));  // a CRLF line is one line too
    b = bob.recv_until("alice: hi bob\n");
    EXPECT_NE(b.find("alice: hi bob\n"), std::string::npos) << b;
    // Nobody hears their own lines back.
    EXPECT_EQ(b.find("bob: hello"), std::string::npos) << b;

    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesChannels, ChatServerAnnouncesLeavingAndStopsOnSigint) {
    ServerProcess server("chat_server", {"--port", "0", "--threads", "1"});
    ASSERT_TRUE(server.port()) << "no 'listening port=P' line";
    Client alice(*server.port());
    ASSERT_TRUE(alice.send("alice\n"));
    alice.recv_until("*** welcome, alice\n");
    {
        Client carol(*server.port());
        ASSERT_TRUE(carol.send("carol\n"));
        carol.recv_until("*** welcome, carol\n");
    }  // carol hangs up
    std::string a = alice.recv_until("*** carol left\n");
    EXPECT_NE(a.find("*** carol joined\n"), std::string::npos) << a;
    EXPECT_NE(a.find("*** carol left\n"), std::string::npos) << a;
    EXPECT_EQ(server.stop(SIGINT), 0);
}

TEST(SamplesChannels, RateLimitedClientAgainstHttpHello) {
    ServerProcess server("http_hello");
    ASSERT_TRUE(server.port()) << "http_hello gave no 'listening port=P' line";
    CommandRun r = run_command(sample_path("rate_limited_client") + " --port " + std::to_string(*server.port()) +
                               " --requests 20 --concurrency 4 --rate 200");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_PRINTS(r, "requests=20 ok=20 failed=0");
    EXPECT_PRINTS(r, "latency min=");
    EXPECT_PRINTS(r, "p50=");
    EXPECT_PRINTS(r, "total=");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}
