#pragma once
/// Running the built samples as their users would, from GoogleTest.
///
/// `sample_path(name)` is $POLLEN_BUILD/samples/NAME ("build" when unset, as
/// `make test` sets it). `run_command` runs a shell command to its end.
/// `ServerProcess` starts a server sample as a child, reads its
/// `listening port=P` line and stops it with a signal. `Client` is a
/// blocking loopback TCP connection. Every wait has a generous limit that
/// only turns a hang into a failure; nothing here asserts how long anything
/// took.
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
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace pollen::test_support {

inline std::string sample_path(const std::string& name) {
    const char* build = std::getenv("POLLEN_BUILD");
    return std::string(build && *build ? build : "build") + "/samples/" + name;
}

struct CommandRun {
    int status = -1;     // exit status, or -1 when it did not exit normally
    std::string output;  // stdout and stderr together
};

/// Runs `cmd` through the shell; `timeout` turns a hang into a failure
/// rather than a stuck suite.
inline CommandRun run_command(const std::string& cmd, int timeout_s = 120) {
    CommandRun run;
    std::string full = "timeout " + std::to_string(timeout_s) + " " + cmd + " 2>&1";
    FILE* pipe = ::popen(full.c_str(), "r");
    if (!pipe) {
        run.output = "popen failed for " + full;
        return run;
    }
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) run.output.append(buf.data(), n);
    int raw = ::pclose(pipe);
    if (raw != -1 && WIFEXITED(raw)) run.status = WEXITSTATUS(raw);
    return run;
}

inline CommandRun run_sample(const std::string& name, const std::string& args = "") {
    return run_command(sample_path(name) + (args.empty() ? "" : " " + args));
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
            ::signal(SIGPIPE, SIG_DFL);
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
    /// The first line the server printed, whatever it says (a sample that
    /// announces something other than a port).
    const std::string& first_line() const { return first_line_; }
    pid_t pid() const { return pid_; }

    /// Sends `signo` and waits for the exit; the exit status, or -1 if it did
    /// not exit normally (or not within 30 s, when it is killed).
    int stop(int signo) {
        using namespace std::chrono_literals;
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

    /// What the server printed after its `listening` line, up to now
    /// (waits at most `wait_ms` for the first byte).
    std::string read_output(int wait_ms = 0) {
        std::string got;
        char buf[4096];
        for (;;) {
            pollfd p{out_, POLLIN, 0};
            if (::poll(&p, 1, got.empty() ? wait_ms : 0) <= 0) break;
            ssize_t n = ::read(out_, buf, sizeof buf);
            if (n <= 0) break;
            got.append(buf, static_cast<std::size_t>(n));
        }
        return got;
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
        first_line_ = line;
        const std::string prefix = "listening port=";
        if (line.rfind(prefix, 0) != 0) return std::nullopt;
        return std::atoi(line.c_str() + prefix.size());
    }

    pid_t pid_ = -1;
    int out_ = -1;
    std::string first_line_;
    std::optional<int> port_;
};

/// A blocking loopback connection; a stuck read gives up after 10 s.
/// `rcvbuf`, if not 0, is its SO_RCVBUF (set before connecting, so that a
/// small one holds a server's writes back).
class Client {
public:
    explicit Client(int port, int rcvbuf = 0) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        timeval tv{10, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    ~Client() { ::close(fd_); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    bool connected() const { return connected_; }
    int fd() const { return fd_; }

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
    /// Reads until `text` has arrived (or the peer closed / 10 s passed).
    std::string recv_until(const std::string& text) {
        std::string got;
        while (got.find(text) == std::string::npos) {
            std::string chunk = recv_n(1);
            if (chunk.empty()) break;
            got += chunk;
        }
        return got;
    }
    /// The read loop of the two below: each chunk to `sink` until the peer
    /// closes, an error or the 10 s guard; the last recv's result (0: the
    /// peer closed; -1: errno says why).
    template <class Sink>
    ssize_t recv_each(Sink sink) {
        char buf[65536];
        for (;;) {
            ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
            if (r <= 0) return r;
            sink(std::string_view(buf, static_cast<std::size_t>(r)));
        }
    }
    /// Reads until the peer closes (or an error / the 10 s guard).
    std::string recv_to_end() {
        std::string out;
        recv_each([&](std::string_view chunk) { out.append(chunk); });
        return out;
    }
    /// True if the peer closed: a read gives end of stream (or a reset).
    bool peer_closed() {
        char c;
        return ::recv(fd_, &c, 1, 0) <= 0;
    }
    /// Reads and drops whatever comes until the peer closes: true on end of
    /// stream or a reset, false if the 10 s guard ran out first.
    bool closed_by_peer() {
        ssize_t r = recv_each([](std::string_view) {});
        return r == 0 || errno == ECONNRESET;
    }
    /// True if nothing arrives (no byte, no close) within `ms`: for checking
    /// that a server holds a client back. It can only pass wrongly on a slow
    /// machine, never fail wrongly.
    bool quiet_for(int ms) {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, ms) == 0;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
};

}  // namespace pollen::test_support

/// Checks that a CommandRun printed `text`, showing the whole output if not.
#define EXPECT_PRINTS(run, text) \
    EXPECT_NE((run).output.find(text), std::string::npos) << "missing: " << (text) << "\n--- output:\n" << (run).output
