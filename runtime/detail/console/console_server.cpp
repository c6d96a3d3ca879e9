#include "console_server.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <system_error>
#include <vector>

namespace pollen::detail {

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

struct Client {
    OwnedFd fd;
    std::string in;   // bytes of requests not answered yet
    std::string out;  // the reply in flight
    std::size_t sent = 0;
    std::chrono::steady_clock::time_point last_progress;
};

}  // namespace

ConsoleServer::ConsoleServer(std::string path, Respond respond) : path_(std::move(path)), respond_(std::move(respond)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.empty() || path_.size() >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        fail("pollen console: bad socket path \"" + path_ + "\"");
    }
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    // A socket left by a program that died (or an earlier process with this
    // pid) is replaced; any other file is not ours to delete.
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            errno = EEXIST;
            fail("pollen console: " + path_ + " exists and is not a socket");
        }
        ::unlink(path_.c_str());
    }
    listener_ = OwnedFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (listener_.get() < 0) fail("pollen console: socket");
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        fail("pollen console: bind " + path_);
    // chmod after bind: the socket file is made with the process's umask
    // (changing the umask would race with other threads); the default
    // directory is 0700, so nobody else can reach it in between.
    if (::chmod(path_.c_str(), 0600) != 0 || ::listen(listener_.get(), 16) != 0) {
        int e = errno;
        ::unlink(path_.c_str());
        errno = e;
        fail("pollen console: listen " + path_);
    }
    wake_ = OwnedFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (wake_.get() < 0) {
        int e = errno;
        ::unlink(path_.c_str());
        errno = e;
        fail("pollen console: eventfd");
    }
    thread_ = std::thread([this] { serve(); });
}

ConsoleServer::~ConsoleServer() { stop(); }

void ConsoleServer::stop() {
    if (!thread_.joinable()) return;
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
    thread_.join();
    ::unlink(path_.c_str());
}

void ConsoleServer::serve() {
    using Clock = std::chrono::steady_clock;
    ::pthread_setname_np(::pthread_self(), "pollen-console");  // as top -H and debuggers show it
    std::vector<Client> clients;
    std::vector<pollfd> fds;
    for (;;) {
        fds.clear();
        fds.push_back({wake_.get(), POLLIN, 0});
        // Full: new connections wait in the backlog until a slot frees.
        fds.push_back({clients.size() < kMaxClients ? listener_.get() : -1, POLLIN, 0});
        // A client whose next request already waits in its buffer is
        // served without waiting for more bytes.
        bool queued = false;
        for (const Client& c : clients) {
            fds.push_back({c.fd.get(), short(c.out.empty() ? POLLIN : POLLOUT), 0});
            queued |= c.out.empty() && c.in.find('\n') != std::string::npos;
        }
        if (::poll(fds.data(), fds.size(), queued ? 0 : 1000) < 0 && errno != EINTR) return;
        if (fds[0].revents) return;
        auto now = Clock::now();

        std::vector<bool> drop(clients.size(), false);
        for (std::size_t i = 0; i < clients.size(); ++i) {
            Client& c = clients[i];
            short ev = fds[i + 2].revents;
            if (ev & (POLLERR | POLLNVAL)) {
                drop[i] = true;
                continue;
            }
            if (c.out.empty() && (ev & (POLLIN | POLLHUP))) {
                char buf[1024];
                ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, 0);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                    drop[i] = true;
                    continue;
                }
                if (n > 0) c.in.append(buf, std::size_t(n));
            }
            // One reply at a time: the next request waits in `in`.
            if (c.out.empty()) {
                std::size_t eol = c.in.find('\n');
                if (eol == std::string::npos) {
                    if (c.in.size() > kMaxRequest) drop[i] = true;
                    continue;
                }
                std::string request = c.in.substr(0, eol);
                c.in.erase(0, eol + 1);
                if (!request.empty() && request.back() == '\r') request.pop_back();
                try {
                    c.out = respond_(request);
                } catch (...) {
                    c.out = std::string("{\"v\":1,\"error\":\"internal error\"}");
                }
                c.out += '\n';
                c.sent = 0;
                c.last_progress = now;
            }
            if (!c.out.empty()) {
                ssize_t n = ::send(c.fd.get(), c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno != EAGAIN && errno != EINTR) {
                    drop[i] = true;
                    continue;
                }
                if (n > 0) {
                    c.sent += std::size_t(n);
                    c.last_progress = now;
                }
                if (c.sent == c.out.size()) {
                    c.out.clear();
                    c.out.shrink_to_fit();  // a big reply's memory goes back at once
                } else if (now - c.last_progress > kStallLimit) {
                    drop[i] = true;
                }
            }
        }
        for (std::size_t i = clients.size(); i-- > 0;)
            if (drop[i]) clients.erase(clients.begin() + std::ptrdiff_t(i));

        if (fds[1].revents & POLLIN) {
            int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd >= 0) {
                OwnedFd conn(fd);
                // The file's mode already keeps other users out; the peer's
                // credentials say so again (root aside, who may anyway).
                ucred cred{};
                socklen_t len = sizeof cred;
                bool ok = ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
                          (cred.uid == ::geteuid() || cred.uid == 0);
                if (ok) clients.push_back(Client{std::move(conn), {}, {}, 0, now});
            }
        }
    }
}

}  // namespace pollen::detail
