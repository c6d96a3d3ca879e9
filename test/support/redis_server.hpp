#pragma once
/// A real redis-server for the tests that compare against Redis or need
/// one: `RedisServer` starts `redis-server` as a child on a free loopback
/// port, without persistence (`--save '' --appendonly no`), and kills it
/// with the object (and with the test process: PR_SET_PDEATHSIG).
/// `port()` is -1 when it could not start (not installed, or the port was
/// taken five times in a row): callers skip. `free_port()` is a port that
/// was free a moment ago. Waits have generous limits that only turn a hang
/// into a failure.
#include <sys/prctl.h>

#include <string>
#include <thread>

#include "sample_process.hpp"

namespace pollen::test_support {

/// A port that was free a moment ago (bind to port 0, read it, close).
inline int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int port = -1;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

class RedisServer {
public:
    RedisServer() {
        using namespace std::chrono_literals;
        for (int attempt = 0; attempt < 5 && port_ < 0; ++attempt) {  // the port may be taken meanwhile
            int port = free_port();
            if (port < 0) continue;
            pid_ = ::fork();
            if (pid_ == 0) {
                ::prctl(PR_SET_PDEATHSIG, SIGKILL);
                int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
                ::dup2(null, STDOUT_FILENO);
                ::dup2(null, STDERR_FILENO);
                std::string p = std::to_string(port);
                ::execlp("redis-server", "redis-server", "--port", p.c_str(), "--bind", "127.0.0.1", "--save", "",
                         "--appendonly", "no", static_cast<char*>(nullptr));
                std::_Exit(127);
            }
            for (int i = 0; i < 500 && port_ < 0; ++i) {
                Client probe(port);
                if (probe.connected() && probe.send("PING\r\n") && probe.recv_until("\r\n") == "+PONG\r\n") {
                    port_ = port;
                } else if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                    pid_ = -1;  // exited: not installed, or the port was taken
                    break;
                } else {
                    std::this_thread::sleep_for(20ms);
                }
            }
            if (port_ < 0) stop();
        }
    }
    ~RedisServer() { stop(); }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    int port() const { return port_; }

private:
    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        pid_ = -1;
    }
    pid_t pid_ = -1;
    int port_ = -1;
};

}  // namespace pollen::test_support
