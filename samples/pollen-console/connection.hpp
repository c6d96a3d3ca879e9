#pragma once
// pollen-console's side of the socket: finds the programs that serve a
// console (the sockets of the default directory, console_path.hpp), and
// asks one for a reply line with plain blocking POSIX calls, each bounded by
// a timeout so that a program that stopped answering cannot hang the view.

#include <chrono>
#include <string>
#include <vector>

#include <pollen/core/detail/owned_fd.hpp>

namespace console {

struct Attachable {
    int pid = 0;
    std::string program;  // /proc/PID/comm
    std::string socket;
};

/// The live programs with a console socket in the default directory.
std::vector<Attachable> list_attachable();

/// A PID (its default socket) or a socket path, as the user gave it.
std::string socket_for(const std::string& target);

class Connection {
public:
    /// Connects; throws std::runtime_error saying why not.
    explicit Connection(const std::string& socket_path);
    /// Sends `request` and returns the reply line; throws std::runtime_error
    /// when the program is gone or took longer than `timeout`.
    std::string ask(const std::string& request, std::chrono::milliseconds timeout = std::chrono::seconds(5));

private:
    pollen::detail::OwnedFd fd_;
    std::string buffered_;
};

}  // namespace console
