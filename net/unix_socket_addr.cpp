#include "unix_socket_addr.hpp"

#include <cstddef>
#include <cstring>

namespace pollen::net {

io::Result<UnixSocketAddr> UnixSocketAddr::from_pathname(std::string_view path) {
    // A path needs its NUL terminator inside sun_path; an abstract name does not.
    std::size_t room = sizeof(sockaddr_un::sun_path) - (path.starts_with('\0') ? 0 : 1);
    if (path.empty()) return Err(io::error(std::errc::invalid_argument));
    if (path.size() > room) return Err(io::error(std::errc::filename_too_long));
    UnixSocketAddr a;
    a.name_ = std::string(path);
    return Ok(std::move(a));
}

UnixSocketAddr UnixSocketAddr::from_sockaddr(const sockaddr_un& sa, socklen_t len) {
    UnixSocketAddr a;
    std::size_t base = offsetof(sockaddr_un, sun_path);
    if (len <= base || sa.sun_family != AF_UNIX) return a;
    std::size_t n = std::min<std::size_t>(len - base, sizeof sa.sun_path);
    if (sa.sun_path[0] == '\0') {
        a.name_.assign(sa.sun_path, n);
    } else {
        a.name_.assign(sa.sun_path, strnlen(sa.sun_path, n));
    }
    return a;
}

socklen_t UnixSocketAddr::to_sockaddr(sockaddr_un& out) const {
    std::memset(&out, 0, sizeof out);
    out.sun_family = AF_UNIX;
    std::memcpy(out.sun_path, name_.data(), name_.size());
    std::size_t base = offsetof(sockaddr_un, sun_path);
    // Abstract names are length-delimited; paths count their NUL.
    return static_cast<socklen_t>(base + name_.size() + (is_abstract() ? 0 : 1));
}

std::string UnixSocketAddr::to_string() const {
    if (is_unnamed()) return "(unnamed)";
    if (is_abstract()) return "@" + name_.substr(1);
    return name_;
}

}  // namespace pollen::net
