// echo_load: the soak test's load client for an echo server (plain POSIX
// sockets and threads, nothing of pollen, so the client cannot share the
// server's bugs). Built and run by test/soak/soak.sh.
//
//     echo_load --port P --seconds S [--active N] [--idle M] [--churn K] [--msg BYTES]
//
//   --active N  N threads, one connection each, echoing BYTES-sized messages
//               back to back; every echo is checked byte for byte.
//   --idle M    M connections opened first and held silent to the end; each
//               then echoes one message, proving the server kept it alive.
//   --churn K   K threads opening a connection, echoing one message and
//               leaving, by turns with a normal close, a reset (SO_LINGER 0),
//               and a reset in the middle of a message (sent, never read).
//
// Prints one line, `round_trips=R rps=X churned=C idle_held=H errors=E`,
// and exits 1 if any error was seen (a refused or dropped connection, a
// wrong or short echo, an idle connection that no longer echoes).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

std::atomic<std::uint64_t> round_trips{0}, churned{0}, errors{0};
std::atomic<bool> stop{false};
int port = 0;
std::size_t msg_size = 64;

void error(const char* what) {
    // The first few are worth reading; the count is what the summary needs.
    if (errors.fetch_add(1) < 5) std::fprintf(stderr, "echo_load: %s: %s\n", what, std::strerror(errno));
}

int dial() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
        ::close(fd);
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // A receive timeout: a server that stops answering is an error, not a hang.
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

bool send_all(int fd, const char* p, std::size_t n) {
    while (n > 0) {
        ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

bool recv_all(int fd, char* p, std::size_t n) {
    while (n > 0) {
        ssize_t r = ::recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

/// One message out, the same message back.
bool echo_once(int fd, std::uint64_t salt) {
    std::string out(msg_size, '\0'), in(msg_size, '\0');
    for (std::size_t i = 0; i < msg_size; ++i) out[i] = static_cast<char>('a' + (salt + i) % 26);
    if (!send_all(fd, out.data(), out.size())) return false;
    if (!recv_all(fd, in.data(), in.size())) return false;
    return in == out;
}

void reset_close(int fd) {
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

void active_loop() {
    int fd = dial();
    if (fd < 0) return error("active connect");
    for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        if (!echo_once(fd, i)) {
            error("active echo");
            break;
        }
        round_trips.fetch_add(1, std::memory_order_relaxed);
    }
    ::close(fd);
}

void churn_loop(unsigned id) {
    for (std::uint64_t i = id; !stop.load(std::memory_order_relaxed); ++i) {
        int fd = dial();
        if (fd < 0) {
            error("churn connect");
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        switch (i % 3) {
            case 0:  // a polite client
                if (!echo_once(fd, i)) error("churn echo");
                ::close(fd);
                break;
            case 1:  // served, then gone with a reset
                if (!echo_once(fd, i)) error("churn echo");
                reset_close(fd);
                break;
            default: {  // a reset while the server is echoing
                std::string half(msg_size, 'x');
                if (!send_all(fd, half.data(), half.size())) error("churn send");
                reset_close(fd);
            }
        }
        churned.fetch_add(1, std::memory_order_relaxed);
    }
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 10;
    unsigned active = 0, churn = 0;
    std::size_t idle = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        const char* v = argv[i + 1];
        if (k == "--port") port = std::atoi(v);
        else if (k == "--seconds") seconds = std::atof(v);
        else if (k == "--active") active = static_cast<unsigned>(std::atoi(v));
        else if (k == "--idle") idle = static_cast<std::size_t>(std::atol(v));
        else if (k == "--churn") churn = static_cast<unsigned>(std::atoi(v));
        else if (k == "--msg") msg_size = static_cast<std::size_t>(std::atol(v));
        else {
            std::fprintf(stderr, "echo_load: unknown flag %s\n", argv[i]);
            return 2;
        }
    }
    if (port == 0) {
        std::fprintf(stderr, "usage: echo_load --port P --seconds S [--active N] [--idle M] [--churn K] [--msg BYTES]\n");
        return 2;
    }

    std::vector<int> idle_fds;
    idle_fds.reserve(idle);
    for (std::size_t i = 0; i < idle; ++i) {
        int fd = dial();
        if (fd < 0) {
            error("idle connect");
            break;
        }
        idle_fds.push_back(fd);
    }
    if (idle > 0) std::fprintf(stderr, "echo_load: holding %zu idle connections\n", idle_fds.size());

    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < active; ++i) threads.emplace_back(active_loop);
    for (unsigned i = 0; i < churn; ++i) threads.emplace_back(churn_loop, i);
    std::this_thread::sleep_until(start + std::chrono::duration<double>(seconds));
    stop.store(true);
    for (auto& t : threads) t.join();
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // Every idle connection must still be served after its long silence.
    std::size_t held = 0;
    for (std::size_t i = 0; i < idle_fds.size(); ++i) {
        if (echo_once(idle_fds[i], i)) ++held;
        else error("idle echo");
        ::close(idle_fds[i]);
    }

    std::printf("round_trips=%llu rps=%.0f churned=%llu idle_held=%zu errors=%llu\n",
                static_cast<unsigned long long>(round_trips.load()), round_trips.load() / took,
                static_cast<unsigned long long>(churned.load()), held,
                static_cast<unsigned long long>(errors.load()));
    return errors.load() == 0 ? 0 : 1;
}
