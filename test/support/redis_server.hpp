#pragma once
/// A real redis-server for the tests that compare against Redis or need
/// one: `RedisServer` starts `redis-server` as a child on a free loopback
/// port, without persistence (`--save '' --appendonly no`; `extra` flags
/// after those, e.g. {"--maxclients", "1"}), and kills it with the object
/// (and with the test process: PR_SET_PDEATHSIG). `cli(args)` is
/// redis-cli's answer from it.
/// `port()` is -1 when it could not start (not installed, or the port was
/// taken five times in a row): callers skip. `free_port()` is a port that
/// was free a moment ago. Waits have generous limits that only turn a hang
/// into a failure.
#include <sys/prctl.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

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
    explicit RedisServer(std::vector<std::string> extra = {}) {
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
                std::vector<const char*> argv = {"redis-server", "--port",     p.c_str(), "--bind", "127.0.0.1",
                                                 "--save",       "",           "--appendonly", "no"};
                for (const std::string& e : extra) argv.push_back(e.c_str());
                argv.push_back(nullptr);
                ::execvp("redis-server", const_cast<char* const*>(argv.data()));
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
    /// redis-cli's answer to `args`, without the trailing newline.
    std::string cli(const std::string& args) const {
        std::string out = run_command("redis-cli -p " + std::to_string(port_) + " " + args, 30).output;
        while (!out.empty() && out.back() == '\n') out.pop_back();
        return out;
    }
    /// redis-cli's integer answer to `args`.
    long long cli_int(const std::string& args) const { return std::atoll(cli(args).c_str()); }

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
