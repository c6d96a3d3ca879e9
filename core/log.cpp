// The `pollen` logger: stderr, level from POLLEN_LOG, off by default.
#include "log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace pollen::detail {

spdlog::logger& log() {
    static std::shared_ptr<spdlog::logger> logger = [] {
        auto l = spdlog::get("pollen");
        if (!l) l = spdlog::stderr_color_mt("pollen");
        const char* level = std::getenv("POLLEN_LOG");
        l->set_level(level ? spdlog::level::from_str(level) : spdlog::level::off);
        l->set_pattern("%H:%M:%S.%e %^%l%$ [pollen t%t] %v");
        return l;
    }();
    return *logger;
}

}  // namespace pollen::detail
