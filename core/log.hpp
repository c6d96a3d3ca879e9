#pragma once
/// pollen's logger: the spdlog logger named `pollen`, silent unless the
/// environment variable POLLEN_LOG names a level (trace, debug, info, warn,
/// error, critical, off). Only .cpp files use it: this header merely declares
/// the accessor, so public headers never pull spdlog in.

namespace spdlog {
class logger;
}

namespace pollen::detail {

/// The shared `pollen` logger, created on first use.
spdlog::logger& log();

}  // namespace pollen::detail
