#include "addr_error.hpp"

#include <string>

namespace pollen::net {

namespace {

class AddrCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "pollen.net.addr"; }
    std::string message(int ev) const override {
        switch (static_cast<addr_errc>(ev)) {
            case addr_errc::invalid_socket_address:
                return "invalid socket address (expected \"host:port\", \"a.b.c.d:port\" or \"[v6]:port\")";
            case addr_errc::invalid_port: return "invalid port value (expected 0 to 65535 after the last ':')";
            case addr_errc::no_addresses: return "could not resolve to any address";
        }
        return "unknown pollen.net.addr error";
    }
    std::error_condition default_error_condition(int) const noexcept override {
        // Rust's InvalidInput: callers that only know std::errc see invalid_argument.
        return std::errc::invalid_argument;
    }
};

}  // namespace

const std::error_category& addr_category() noexcept {
    static const AddrCategory category;
    return category;
}

}  // namespace pollen::net
