#pragma once
/// UnixSocketAddr: the address of a Unix domain socket (Tokio's
/// `net::unix::SocketAddr`): a filesystem path, an abstract name (Linux: a
/// leading NUL byte), or unnamed (what a connecting socket usually is).
/// A plain value; nothing here polls or wakes.

#include <sys/socket.h>
#include <sys/un.h>

#include <optional>
#include <string>
#include <string_view>

#include "../core/io/error.hpp"

namespace pollen::net {

class UnixSocketAddr {
public:
    /// Unnamed.
    UnixSocketAddr() = default;

    /// A path (or, starting with '\0', an abstract name); Err(filename_too_long)
    /// if it does not fit sockaddr_un.
    static io::Result<UnixSocketAddr> from_pathname(std::string_view path);
    static UnixSocketAddr from_sockaddr(const sockaddr_un& sa, socklen_t len);
    /// Fills `out`; returns the length to pass to bind/connect.
    socklen_t to_sockaddr(sockaddr_un& out) const;

    bool is_unnamed() const { return name_.empty(); }
    bool is_abstract() const { return !name_.empty() && name_[0] == '\0'; }
    /// The filesystem path, if it is one.
    std::optional<std::string> as_pathname() const {
        if (is_unnamed() || is_abstract()) return std::nullopt;
        return name_;
    }

    std::string to_string() const;

    bool operator==(const UnixSocketAddr&) const = default;

private:
    std::string name_;  // empty: unnamed
};

}  // namespace pollen::net
