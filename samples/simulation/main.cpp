// simulation: a replicated key-value store (kv.hpp) run under the
// deterministic simulator with a simulated network (docs/simulation.md),
// its invariants checked at the end of each run (scenario.hpp).
//
//   simulation --seed S [--naive] [--trace]
//                                      one run; its last line: seed=S events=N hash=H
//                                      (--trace: what the hosts and the nemesis do, on stderr)
//   simulation --seeds N [--first F] [--naive]
//                                      seeds F..F+N-1; stops at the first failing one
//
// Exit status 0 when every run kept the invariants, 1 when one broke them
// (its seed and the broken invariant on stderr), 2 for bad arguments.
// `--naive` runs the leader that acknowledges before replicating: some
// seed loses an acknowledged write when the leader crashes.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kv.hpp"
#include "scenario.hpp"

namespace {

int usage() {
    std::fprintf(stderr, "usage: simulation (--seed S [--trace] | --seeds N [--first F]) [--naive]\n");
    return 2;
}

bool parse(const char* text, std::uint64_t& out) {
    char* end = nullptr;
    out = std::strtoull(text, &end, 10);
    return end != text && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t seed = 0, seeds = 0, first = 0;
    bool one = false, many = false;
    kv::ScenarioOptions options;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--naive") {
            options.naive = true;
        } else if (a == "--trace") {
            kv::tracing = true;
        } else if (a == "--seed" && i + 1 < argc && parse(argv[i + 1], seed)) {
            one = true;
            ++i;
        } else if (a == "--seeds" && i + 1 < argc && parse(argv[i + 1], seeds)) {
            many = true;
            ++i;
        } else if (a == "--first" && i + 1 < argc && parse(argv[i + 1], first)) {
            ++i;
        } else {
            return usage();
        }
    }
    if (one == many) return usage();

    auto scenario = [&](pollen::Runtime& rt) { kv::scenario(rt, options); };
    pollen::sim::RunOptions run;
    run.first_seed = one ? seed : first;
    if (one) {
        run.report_to = nullptr;
        pollen::sim::RunReport r = pollen::sim::run_seeds(1, scenario, run);
        if (!r.ok()) {
            std::fprintf(stderr, "invariant broken: %s\n", r.failure->message.c_str());
            if (r.failure->stats) std::printf("%s\n", r.failure->stats->to_string().c_str());
            return 1;
        }
        // run_seeds keeps no stats of a passing seed: replay it (the same run) to print them.
        std::printf("%s\n", pollen::sim::run_seed(run.first_seed, scenario, run).to_string().c_str());
        return 0;
    }
    auto t0 = std::chrono::steady_clock::now();
    pollen::sim::RunReport r = pollen::sim::run_seeds(seeds, scenario, run);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("seeds=%llu seconds=%.2f seeds_per_minute=%.0f%s\n", static_cast<unsigned long long>(r.seeds_run),
                secs, secs > 0 ? double(r.seeds_run) * 60.0 / secs : 0.0, options.naive ? " naive" : "");
    if (!r.ok()) {
        std::printf("first failing seed=%llu\n", static_cast<unsigned long long>(r.failure->seed));
        return 1;
    }
    return 0;
}
