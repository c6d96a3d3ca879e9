#include "gai_error.hpp"

#include <netdb.h>

#include <cerrno>
#include <string>

namespace pollen::net {

namespace {

class GaiCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "pollen.net.gai"; }
    std::string message(int ev) const override { return ::gai_strerror(ev); }
    std::error_condition default_error_condition(int ev) const noexcept override {
        // Lets callers that only know std::errc classify the common cases.
        switch (ev) {
            case EAI_AGAIN: return std::errc::resource_unavailable_try_again;
            case EAI_MEMORY: return std::errc::not_enough_memory;
            case EAI_FAMILY: return std::errc::address_family_not_supported;
            case EAI_BADFLAGS: return std::errc::invalid_argument;
            case EAI_SERVICE: return std::errc::invalid_argument;
            default: return {ev, *this};
        }
    }
};

}  // namespace

const std::error_category& gai_category() noexcept {
    static const GaiCategory category;
    return category;
}

std::error_code make_gai_error(int eai) {
    if (eai == EAI_SYSTEM) return {errno, std::generic_category()};
    return {eai, gai_category()};
}

}  // namespace pollen::net
