#include "cli.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace pollen::bench {

void die(int code, std::string_view msg) {
    std::string line(msg);
    std::replace(line.begin(), line.end(), '\n', ' ');
    std::fflush(stdout);
    std::fprintf(stderr, "pollen-bench: %s\n", line.c_str());
    std::fflush(stderr);
    std::_Exit(code);
}

std::size_t default_threads() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return static_cast<std::size_t>(n);
    }
    unsigned n = std::thread::hardware_concurrency();
    return n > 0 ? n : 1;
}

std::pair<std::optional<Flags>, std::string> Flags::parse(
    std::span<const std::string> args, std::span<const std::string_view> allowed) {
    Flags flags;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.size() <= 2 || a.compare(0, 2, "--") != 0)
            return {std::nullopt, "unexpected argument '" + a + "'"};
        std::string name, value;
        if (auto eq = a.find('='); eq != std::string::npos) {
            name = a.substr(2, eq - 2);
            value = a.substr(eq + 1);
        } else {
            name = a.substr(2);
            if (i + 1 >= args.size()) return {std::nullopt, "flag --" + name + " needs a value"};
            value = args[++i];
        }
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            return {std::nullopt, "unknown flag --" + name};
        std::erase_if(flags.pairs_, [&](const auto& p) { return p.first == name; });
        flags.pairs_.emplace_back(std::move(name), std::move(value));
    }
    return {std::move(flags), ""};
}

std::optional<std::string_view> Flags::get(std::string_view name) const {
    for (const auto& [n, v] : pairs_)
        if (n == name) return std::string_view(v);
    return std::nullopt;
}

std::uint64_t Flags::uint(std::string_view name, std::optional<std::uint64_t> fallback,
                          std::uint64_t min, std::uint64_t max, std::string& error) const {
    std::optional<std::string_view> v = get(name);
    if (!v) {
        if (fallback) return *fallback;
        error = "missing required flag --" + std::string(name);
        return 0;
    }
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || v->empty() || n < min || n > max) {
        error = "bad value '" + std::string(*v) + "' for --" + std::string(name) +
                " (want an integer in " + std::to_string(min) + ".." + std::to_string(max) + ")";
        return 0;
    }
    return n;
}

}  // namespace pollen::bench
