#pragma once
/// Command-line helpers shared by every command of pollen-bench: the one-line
/// error exit and the `--name value` / `--name=value` flag parser (the same
/// rules as the Tokio anchor: every flag must be known, the last one wins).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pollen::bench {

/// Prints `pollen-bench: MSG` (one line) on stderr and exits with `code`
/// without running destructors: worker threads may still be running.
[[noreturn]] void die(int code, std::string_view msg);

/// The number of cores this process may run on (the default worker count).
std::size_t default_threads();

class Flags {
public:
    /// Parses `args`; on a bad or unknown flag returns the reason instead.
    static std::pair<std::optional<Flags>, std::string> parse(
        std::span<const std::string> args, std::span<const std::string_view> allowed);

    std::optional<std::string_view> get(std::string_view name) const;

    /// An unsigned flag within [min, max], `fallback` when absent (no fallback:
    /// the flag is required). Sets `error` and returns 0 when invalid.
    std::uint64_t uint(std::string_view name, std::optional<std::uint64_t> fallback,
                       std::uint64_t min, std::uint64_t max, std::string& error) const;

private:
    std::vector<std::pair<std::string, std::string>> pairs_;
};

}  // namespace pollen::bench
