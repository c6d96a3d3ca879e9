#include "serve.hpp"

#include <spdlog/spdlog.h>

#include "../core/log.hpp"

namespace pollen::net::detail {

void log_accept_error(const io::Error& ec) {
    // Not rate-limited: what reaches here is one failed connection, not a
    // state that repeats (descriptor shortage pauses inside the listener).
    pollen::detail::log().warn("serve: accept failed: {}; accepting goes on", ec.message());
}

}  // namespace pollen::net::detail
