// The network samples, run as their users would: each server binary
// ($POLLEN_BUILD/samples/NAME, "build" by default) is started with --port 0,
// its `listening port=P` line read, and it is talked to with a plain blocking
// socket (and with the tcp_client sample). Each must then stop on SIGTERM or
// SIGINT with exit status 0. Waits have generous limits that only turn a hang
// into a failure; nothing asserts how long anything took.
#include "support/sample_process.hpp"

#include <memory>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;
using namespace pollen::test_support;

const std::string kHello =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

std::string get(const std::string& target = "/", const std::string& extra = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

}  // namespace

TEST(SamplesNet, EchoServerEchoesConcurrentClientsAndStopsOnSigterm) {
    ServerProcess server("echo_server");
    ASSERT_TRUE(server.port()) << "no 'listening port=P' line";
    int port = *server.port();

    Client a(port), b(port);
    ASSERT_TRUE(a.connected() && b.connected());
    // b is served while a is connected and idle: one task per connection.
    ASSERT_TRUE(b.send("second"));
    EXPECT_EQ(b.recv_n(6), "second");
    ASSERT_TRUE(a.send("first"));
    EXPECT_EQ(a.recv_n(5), "first");
    std::string big(200'000, 'x');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
    std::thread writer([&] { a.send(big); });  // the echo flows back while we still write
    EXPECT_EQ(a.recv_n(big.size()), big);
    writer.join();

    EXPECT_EQ(server.stop(SIGTERM), 0);
}

// Past --max-connections a newcomer is accepted and closed at once without
// a byte (any text would read as an echo) instead of waiting unseen in the
// listen backlog; those in keep being served, and once one leaves, a
// newcomer is served again.
TEST(SamplesNet, EchoServerClosesClientsPastMaxConnectionsAtOnce) {
    ServerProcess server("echo_server", {"--port", "0", "--max-connections", "2"});
    ASSERT_TRUE(server.port());
    auto a = std::make_unique<Client>(*server.port());
    Client b(*server.port());
    ASSERT_TRUE(a->send("a") && b.send("b"));
    EXPECT_EQ(a->recv_n(1), "a");
    EXPECT_EQ(b.recv_n(1), "b");
    for (int i = 0; i < 3; ++i) {
        Client c(*server.port());
        ASSERT_TRUE(c.connected());
        (void)c.send("c");  // may meet the close already
        EXPECT_TRUE(c.closed_by_peer()) << "held instead of closed";
        ASSERT_TRUE(b.send("still b"));  // those in keep being served
        EXPECT_EQ(b.recv_n(7), "still b");
    }
    a.reset();  // one leaves: a newcomer is served, once the server saw it go
    bool served = false;
    for (int i = 0; i < 500 && !served; ++i) {
        Client d(*server.port());
        served = d.send("d") && d.recv_n(1) == "d";
        if (!served) std::this_thread::sleep_for(20ms);
    }
    EXPECT_TRUE(served);
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesNet, EchoServerClosesIdleAndStalledClientsButNotBusyOnes) {
    ServerProcess server("echo_server", {"--port", "0", "--idle-timeout-ms", "1500"});
    ASSERT_TRUE(server.port());
    Client idle(*server.port()), stalled(*server.port()), busy(*server.port());
    ASSERT_TRUE(idle.send("x"));
    EXPECT_EQ(idle.recv_n(1), "x");
    // Sends and never reads: its echo fills both socket buffers and stops.
    std::thread flood([&] { stalled.send(std::string(64 << 20, 's')); });
    // Busy for twice the limit, never silent for long: kept.
    for (int i = 0; i < 12; ++i) {
        ASSERT_TRUE(busy.send("b")) << i;
        EXPECT_EQ(busy.recv_n(1), "b") << i;
        std::this_thread::sleep_for(250ms);
    }
    EXPECT_TRUE(busy.quiet_for(0));  // not closed
    EXPECT_TRUE(idle.closed_by_peer());
    EXPECT_TRUE(stalled.closed_by_peer());  // its unfinished send fails now
    flood.join();
    ASSERT_TRUE(busy.send("still"));
    EXPECT_EQ(busy.recv_n(5), "still");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesNet, TcpClientTalksToEchoServer) {
    ServerProcess server("echo_server");
    ASSERT_TRUE(server.port());
    CommandRun r = run_command(sample_path("tcp_client") + " --port " + std::to_string(*server.port()) +
                        " --message 'hello pollen' --timeout-ms 10000");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(r.output, "hello pollen\n");
    EXPECT_EQ(server.stop(SIGINT), 0);
}

TEST(SamplesNet, EchoServerShutsDownWithAnIdleConnectionOpen) {
    ServerProcess server("echo_server");
    ASSERT_TRUE(server.port());
    Client idle(*server.port());
    ASSERT_TRUE(idle.send("x"));
    EXPECT_EQ(idle.recv_n(1), "x");
    EXPECT_EQ(server.stop(SIGINT), 0);
    EXPECT_TRUE(idle.peer_closed());
}

TEST(SamplesNet, TcpClientReportsItsTimeout) {
    // A listener that never answers: the kernel completes the handshake from
    // the backlog, nobody ever reads or writes.
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(fd, 8), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    CommandRun r = run_command(sample_path("tcp_client") + " --port " + std::to_string(ntohs(a.sin_port)) +
                        " --timeout-ms 100");
    ::close(fd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find("deadline has elapsed"), std::string::npos) << r.output;
}

TEST(SamplesNet, TcpClientReportsARefusedConnection) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    // Bound but not listening: connecting to it is refused.
    CommandRun r = run_command(sample_path("tcp_client") + " --port " + std::to_string(ntohs(a.sin_port)));
    ::close(fd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_EQ(r.output.find("hello"), std::string::npos) << r.output;
}

TEST(SamplesNet, HttpHelloAnswersPipelinedRequestsInOrderAndKeepsAlive) {
    ServerProcess server("http_hello");
    ASSERT_TRUE(server.port());
    Client c(*server.port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(get("/")));
    EXPECT_EQ(c.recv_n(kHello.size()), kHello);
    // Two requests in one segment, then a HEAD: three answers, in order.
    ASSERT_TRUE(c.send(get("/a") + get("/b") + "HEAD / HTTP/1.1\r\n\r\n"));
    std::string head = kHello.substr(0, kHello.size() - 13);
    EXPECT_EQ(c.recv_n(2 * kHello.size() + head.size()), kHello + kHello + head);
    // Still open: a request split across two writes is answered once whole.
    ASSERT_TRUE(c.send("GET / HT"));
    ASSERT_TRUE(c.send("TP/1.1\r\n\r\n"));
    EXPECT_EQ(c.recv_n(kHello.size()), kHello);
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesNet, HttpHelloRejectsMalformedRequestsAndCloses) {
    ServerProcess server("http_hello");
    ASSERT_TRUE(server.port());
    {
        Client c(*server.port());
        ASSERT_TRUE(c.send("NONSENSE\r\n\r\n"));
        std::string reply = c.recv_to_end();  // ends: the server closed
        EXPECT_EQ(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << reply;
        EXPECT_NE(reply.find("Connection: close\r\n"), std::string::npos) << reply;
    }
    {
        // A good request, then a malformed one: the first is answered normally.
        Client c(*server.port());
        ASSERT_TRUE(c.send(get("/") + "GET /x HTTP/9\r\n\r\n"));
        std::string reply = c.recv_to_end();
        EXPECT_EQ(reply.rfind(kHello, 0), 0u) << reply;
        EXPECT_NE(reply.find("HTTP/1.1 400 Bad Request\r\n", kHello.size()), std::string::npos) << reply;
    }
    {
        Client c(*server.port());
        ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n"));
        std::string reply = c.recv_to_end();
        EXPECT_EQ(reply.rfind("HTTP/1.1 431 ", 0), 0u) << reply.substr(0, 200);
    }
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesNet, HttpHelloHonoursConnectionClose) {
    ServerProcess server("http_hello");
    ASSERT_TRUE(server.port());
    Client c(*server.port());
    // The request after the one that asks to close is never answered.
    ASSERT_TRUE(c.send(get("/", "Connection: close\r\n") + get("/")));
    std::string reply = c.recv_to_end();
    EXPECT_EQ(reply,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
              "Connection: close\r\n\r\nHello, World!");
    EXPECT_EQ(server.stop(SIGINT), 0);
}
