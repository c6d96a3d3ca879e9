// The channel samples (issue 5), run as their users would: each binary
// ($POLLEN_BUILD/samples/NAME, "build" by default) must exit 0 and print the
// lines its comments promise. streams, pipeline and notifications run on a
// paused clock, so their times are exact; chat_server is talked to with
// plain blocking sockets, and rate_limited_client runs against a started
// http_hello. Waits have generous limits that only turn a hang into a failure.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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

/// Reads from `c` until `text` has arrived (or the peer closed / 10 s passed).
std::string recv_until(Client& c, const std::string& text) {
    std::string got;
    while (got.find(text) == std::string::npos) {
        std::string chunk = c.recv_n(1);
        if (chunk.empty()) break;
        got += chunk;
    }
    return got;
}

#define EXPECT_PRINTS(run, text) \
    EXPECT_NE((run).output.find(text), std::string::npos) << "missing: " << (text) << "\n--- output:\n" << (run).output

}  // namespace

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
    std::string a = recv_until(alice, "*** welcome, alice\n");
    ASSERT_NE(a.find("*** welcome, alice\n"), std::string::npos) << a;

    Client bob(port);
    ASSERT_TRUE(bob.connected());
    ASSERT_TRUE(bob.send("bob\n"));
    std::string b = recv_until(bob, "*** welcome, bob\n");
    ASSERT_NE(b.find("*** welcome, bob\n"), std::string::npos) << b;

    a = recv_until(alice, "*** bob joined\n");
    EXPECT_NE(a.find("*** bob joined\n"), std::string::npos) << a;

    ASSERT_TRUE(bob.send("hello, alice\n"));
    a = recv_until(alice, "bob: hello, alice\n");
    EXPECT_NE(a.find("bob: hello, alice\n"), std::string::npos) << a;

    ASSERT_TRUE(alice.send("hi bob\r\n"));  // a CRLF line is one line too
    b = recv_until(bob, "alice: hi bob\n");
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
    recv_until(alice, "*** welcome, alice\n");
    {
        Client carol(*server.port());
        ASSERT_TRUE(carol.send("carol\n"));
        recv_until(carol, "*** welcome, carol\n");
    }  // carol hangs up
    std::string a = recv_until(alice, "*** carol left\n");
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
