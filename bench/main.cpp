// pollen-bench: the project's side of the benchmark contract in
// ../shared/bench/SCENARIOS.md (the Tokio anchor is the other side).
//
//     pollen-bench list
//     pollen-bench run SCENARIO [--threads N] [--iters K] [--warmup W]
//     pollen-bench <registered command> ...      (serve, load: see registry.hpp)
//
// `run` prints exactly one `key=value` line on stdout; anything else goes to
// stderr. Errors exit non-zero with one line on stderr.

#include <pollen.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli.hpp"
#include "registry.hpp"

namespace pb = pollen::bench;

namespace {

std::string usage() {
    std::string u = "usage: pollen-bench list | run SCENARIO [--threads N] [--iters K] [--warmup W]";
    for (const pb::Command* c : pb::commands()) {
        u += " | ";
        u += c->usage;
    }
    return u;
}

/// SCENARIOS.md: the median of an even count is the mean of the middle two.
std::uint64_t median(const std::vector<std::uint64_t>& sorted) {
    std::size_t n = sorted.size();
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

int cmd_run(std::span<const std::string> args) {
    if (args.empty() || args[0].starts_with("--"))
        pb::die(2, "run: missing SCENARIO (see 'pollen-bench list')");
    const std::string& name = args[0];
    const pb::Scenario* scenario = pb::find_scenario(name);
    if (scenario == nullptr) pb::die(2, "unknown scenario '" + name + "' (see 'pollen-bench list')");

    static constexpr std::array<std::string_view, 3> kAllowed{"threads", "iters", "warmup"};
    auto [flags, error] = pb::Flags::parse(args.subspan(1), kAllowed);
    if (!flags) pb::die(2, "run: " + error);
    std::size_t threads = flags->uint("threads", pb::default_threads(), 1, 4096, error);
    std::size_t iters = flags->uint("iters", 15, 1, 1'000'000, error);
    std::size_t warmup = flags->uint("warmup", 3, 0, 1'000'000, error);
    if (!error.empty()) pb::die(2, "run: " + error);

    std::vector<std::uint64_t> times;
    times.reserve(iters);
    std::vector<std::pair<std::string, std::string>> extra;
    {
        // One runtime, built before the warm-up and reused; building and
        // dropping it is not timed. It is dropped before the line is printed,
        // so a hang on shutdown shows as a missing line, not a wrong one.
        // Lost-waker detection (a debug aid, on by default without NDEBUG)
        // counts every waker clone: the benchmark measures the release path.
        pollen::Runtime rt = pollen::Builder::new_multi_thread()
                                 .worker_threads(threads)
                                 .enable_all()
                                 .detect_lost_wakers(false)
                                 .build();
        std::unique_ptr<pb::Bench> bench = scenario->make();
        for (std::size_t i = 0; i < warmup + iters; ++i) {
            auto t0 = std::chrono::steady_clock::now();
            try {
                bench->iteration(rt);
            } catch (const std::exception& e) {
                pb::die(1, name + ": iteration " + std::to_string(i) + " failed: " + e.what());
            }
            auto dt = std::chrono::steady_clock::now() - t0;
            if (i >= warmup)
                times.push_back(static_cast<std::uint64_t>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(dt).count()));
        }
        extra = bench->extra();
    }

    std::sort(times.begin(), times.end());
    std::string line = "scenario=" + name + " threads=" + std::to_string(threads) +
                       " iters=" + std::to_string(iters) + " ops=" + std::to_string(scenario->ops) +
                       " median_ns=" + std::to_string(median(times)) +
                       " min_ns=" + std::to_string(times.front()) +
                       " max_ns=" + std::to_string(times.back());
    for (const auto& [k, v] : extra) line += " " + k + "=" + v;
    std::printf("%s\n", line.c_str());
    return 0;
}

int cmd_list(std::span<const std::string> args) {
    if (!args.empty()) pb::die(2, "'list' takes no arguments");
    std::string out;
    for (const pb::Scenario* s : pb::scenarios()) {
        out += s->name;
        out += '\n';
    }
    // A closed pipe (`pollen-bench list | head -1`) is not an error.
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // as in Rust programs: a closed pipe is an EPIPE, not a kill
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) pb::die(2, usage());
    std::span<const std::string> rest = std::span<const std::string>(args).subspan(1);
    const std::string& cmd = args[0];
    if (cmd == "list") return cmd_list(rest);
    if (cmd == "run") return cmd_run(rest);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
        std::fprintf(stderr, "%s\n", usage().c_str());
        return 0;
    }
    if (const pb::Command* c = pb::find_command(cmd)) return c->run(rest);
    pb::die(2, "unknown command '" + cmd + "'; " + usage());
}
