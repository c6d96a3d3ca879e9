// The network samples, run as their users would: each server binary
// ($POLLEN_BUILD/samples/NAME, "build" by default) is started with --port 0,
// its `listening port=P` line read, and it is talked to with a plain blocking
// socket (and with the tcp_client sample). Each must then stop on SIGTERM or
// SIGINT with exit status 0. Waits have generous limits that only turn a hang
// into a failure; nothing asserts how long anything took.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

std::string sample_path(const std::string& name) {
    const char* build = std::getenv("POLLEN_BUILD");
    return std::string(build && *build ? build : "build") + "/samples/" + name;
}

/// A server sample running as a child process; killed if the test ends early.
class ServerProcess {
public:
    explicit ServerProcess(const std::string& name, std::vector<std::string> args = {"--port", "0"}) {
        std::string path = sample_path(name);
        int out[2];
        if (::pipe2(out, O_CLOEXEC) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            // The child starts with default signal handling, whatever the suite changed.
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            ::signal(SIGTERM, SIG_DFL);
            ::signal(SIGINT, SIG_DFL);
            ::dup2(out[1], STDOUT_FILENO);
            std::vector<char*> argv{const_cast<char*>(path.c_str())};
            for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(path.c_str(), argv.data());
            std::_Exit(127);
        }
        ::close(out[1]);
        out_ = out[0];
        port_ = read_port();
    }
    ~ServerProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (out_ >= 0) ::close(out_);
    }
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    /// The port from `listening port=P`; nullopt if the line never came.
    std::optional<int> port() const { return port_; }

    /// Sends `signo` and waits for the exit; the exit status, or -1 if it did
    /// not exit normally (or not within 30 s, when it is killed).
    int stop(int signo) {
        if (pid_ <= 0) return -1;
        ::kill(pid_, signo);
        for (int i = 0; i < 3000; ++i) {
            int status = 0;
            pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            std::this_thread::sleep_for(10ms);
        }
        return -1;  // the destructor kills it
    }

private:
    std::optional<int> read_port() {
        std::string line;
        for (;;) {
            pollfd p{out_, POLLIN, 0};
            if (::poll(&p, 1, 30'000) <= 0) return std::nullopt;
            char c;
            if (::read(out_, &c, 1) != 1) return std::nullopt;
            if (c == '\n') break;
            line += c;
        }
        const std::string prefix = "listening port=";
        if (line.rfind(prefix, 0) != 0) return std::nullopt;
        return std::atoi(line.c_str() + prefix.size());
    }

    pid_t pid_ = -1;
    int out_ = -1;
    std::optional<int> port_;
};

/// A blocking loopback connection; a stuck read gives up after 10 s.
class Client {
public:
    explicit Client(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        timeval tv{10, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    ~Client() { ::close(fd_); }
    bool connected() const { return connected_; }

    bool send(const std::string& s) {
        std::size_t off = 0;
        while (off < s.size()) {
            ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }
    /// Reads until `n` bytes came, the peer closed, or an error.
    std::string recv_n(std::size_t n) {
        std::string out;
        char buf[4096];
        while (out.size() < n) {
            ssize_t r = ::recv(fd_, buf, std::min(sizeof buf, n - out.size()), 0);
            if (r <= 0) break;
            out.append(buf, static_cast<std::size_t>(r));
        }
        return out;
    }
    /// Reads until the peer closes (or an error / the 10 s guard).
    std::string recv_to_end() {
        std::string out;
        char buf[4096];
        for (;;) {
            ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
            if (r <= 0) break;
            out.append(buf, static_cast<std::size_t>(r));
        }
        return out;
    }
    /// True if the peer closed: a read gives end of stream (or a reset).
    bool peer_closed() {
        char c;
        return ::recv(fd_, &c, 1, 0) <= 0;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
};

struct CommandRun {
    int status = -1;
    std::string output;
};

CommandRun run_command(const std::string& cmd) {
    CommandRun run;
    FILE* pipe = ::popen(("timeout 60 " + cmd + " 2>&1").c_str(), "r");
    if (!pipe) return run;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) run.output.append(buf.data(), n);
    int raw = ::pclose(pipe);
    if (raw != -1 && WIFEXITED(raw)) run.status = WEXITSTATUS(raw);
    return run;
}

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
