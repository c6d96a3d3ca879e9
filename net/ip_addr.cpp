#include "ip_addr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace pollen::net {

namespace {

// inet_pton wants a NUL-terminated string; addresses are short.
bool pton(int af, std::string_view text, void* out) {
    char buf[INET6_ADDRSTRLEN + 1];
    if (text.size() >= sizeof buf) return false;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    return inet_pton(af, buf, out) == 1;
}

}  // namespace

io::Result<IpAddr> IpAddr::parse(std::string_view text) {
    std::array<std::uint8_t, 16> b{};
    if (pton(AF_INET, text, b.data())) return Ok(v4(b[0], b[1], b[2], b[3]));
    if (pton(AF_INET6, text, b.data())) return Ok(v6(b));
    return Err(io::error(std::errc::invalid_argument));
}

bool IpAddr::is_loopback() const {
    if (is_ipv4()) return bytes_[0] == 127;
    return *this == localhost_v6();
}

bool IpAddr::is_unspecified() const {
    for (std::uint8_t x : bytes_)
        if (x != 0) return false;
    return true;
}

std::string IpAddr::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(is_ipv4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
    return buf;
}

}  // namespace pollen::net
