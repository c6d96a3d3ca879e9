#include "connection.hpp"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <pollen/runtime/detail/console/console_path.hpp>

namespace console {

std::vector<Attachable> list_attachable() {
    std::vector<Attachable> out;
    std::string dir = pollen::detail::console_dir();
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.size() < 6 || name.substr(name.size() - 5) != ".sock") continue;
        int pid = std::atoi(name.c_str());
        // A socket whose program died without shutting down is left behind.
        if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) continue;
        Attachable a{pid, "", dir + "/" + name};
        std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
        std::getline(comm, a.program);
        out.push_back(std::move(a));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(), [](const Attachable& a, const Attachable& b) { return a.socket < b.socket; });
    return out;
}

std::string socket_for(const std::string& target) {
    bool digits = !target.empty() && std::all_of(target.begin(), target.end(), [](char c) { return c >= '0' && c <= '9'; });
    return digits ? pollen::detail::console_dir() + "/" + target + ".sock" : target;
}

Connection::Connection(const std::string& socket_path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path) throw std::runtime_error("socket path too long: " + socket_path);
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    fd_ = pollen::detail::OwnedFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd_.get() < 0 || ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error("cannot attach to " + socket_path + ": " + std::strerror(errno) +
                                 " (is the program running with POLLEN_CONSOLE=1 or Builder::console?)");
}

std::string Connection::ask(const std::string& request, std::chrono::milliseconds timeout) {
    std::string line = request + "\n";
    if (::send(fd_.get(), line.data(), line.size(), MSG_NOSIGNAL) != ssize_t(line.size()))
        throw std::runtime_error("the program closed the console");
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (std::size_t eol = buffered_.find('\n'); eol != std::string::npos) {
            std::string reply = buffered_.substr(0, eol);
            buffered_.erase(0, eol + 1);
            return reply;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd_.get(), POLLIN, 0};
        int r = left.count() > 0 ? ::poll(&p, 1, int(left.count())) : 0;
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) throw std::runtime_error("the program did not answer in time");
        char buf[65536];
        ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
        if (n <= 0) throw std::runtime_error("the program closed the console (it exited?)");
        buffered_.append(buf, std::size_t(n));
    }
}

}  // namespace console
