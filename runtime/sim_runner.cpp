#include "sim_runner.hpp"

#include <cinttypes>
#include <cstdlib>
#include <exception>

#include "builder.hpp"

namespace pollen::sim {

namespace {

/// One run of `seed`: its stats, or the failure.
struct Attempt {
    std::optional<Stats> stats;
    std::optional<Failure> failure;
};

Builder builder_for(std::uint64_t seed, const RunOptions& options) {
    Builder b = Builder::new_simulation(seed);
    if (options.time_limit) b.simulation_time_limit(*options.time_limit);
    if (options.event_limit) b.simulation_event_limit(*options.event_limit);
    return b;
}

Attempt attempt(std::uint64_t seed, const Scenario& scenario, const RunOptions& options) {
    Attempt out;
    std::optional<Runtime> rt;
    try {
        rt.emplace(builder_for(seed, options).build());
        EnterGuard inside = rt->enter();  // timers the scenario makes read the virtual clock
        scenario(*rt);
        out.stats = rt->simulation_stats();
        return out;
    } catch (const SimulationError& e) {
        out.failure = Failure{seed, e.what(), e.stats()};
    } catch (const std::exception& e) {
        out.failure = Failure{seed, e.what(), std::nullopt};
    } catch (...) {
        out.failure = Failure{seed, "an exception that is not a std::exception", std::nullopt};
    }
    if (rt && !out.failure->stats) out.failure->stats = rt->simulation_stats();
    return out;
}

std::optional<std::uint64_t> seed_from_env() {
    const char* env = std::getenv("POLLEN_SIM_SEED");
    if (!env || !*env) return std::nullopt;
    // Builder::new_simulation reads it too, and refuses a malformed one.
    return Builder::new_simulation(0).config().seed;
}

}  // namespace

Stats run_seed(std::uint64_t seed, const Scenario& scenario, const RunOptions& options) {
    Runtime rt = builder_for(seed, options).build();
    {
        EnterGuard inside = rt.enter();
        scenario(rt);
    }
    return rt.simulation_stats();
}

RunReport run_seeds(std::uint64_t n, const Scenario& scenario, const RunOptions& options) {
    RunReport report;
    std::uint64_t first = options.first_seed;
    if (std::optional<std::uint64_t> replay = seed_from_env()) {
        first = *replay;
        n = 1;
    }
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t seed = first + i;
        ++report.seeds_run;
        Attempt a = attempt(seed, scenario, options);
        if (!a.failure && options.check_determinism) {
            Attempt again = attempt(seed, scenario, options);
            if (again.failure) {
                a.failure = again.failure;
                a.failure->message = "the second run of the seed failed where the first passed: " + a.failure->message;
            } else if (!(*again.stats == *a.stats)) {
                a.failure = Failure{seed,
                                    "not deterministic: the first run ended with " + a.stats->to_string() +
                                        ", the second with " + again.stats->to_string() +
                                        " (something outside the simulation decides: a thread, the real clock, "
                                        "an address-dependent order?)",
                                    again.stats};
            }
        }
        if (a.failure) {
            if (options.report_to) {
                std::string passed = i == 0 ? "" : " after " + std::to_string(i) + " passing seeds";
                std::string stats = a.failure->stats ? a.failure->stats->to_string() : "no stats";
                std::fprintf(options.report_to,
                             "pollen::sim: seed %" PRIu64 " failed%s (%s):\n%s\n"
                             "pollen::sim: replay it with POLLEN_SIM_SEED=%" PRIu64 "\n",
                             seed, passed.c_str(), stats.c_str(), a.failure->message.c_str(), seed);
                std::fflush(options.report_to);
            }
            report.failure = std::move(a.failure);
            return report;
        }
    }
    return report;
}

}  // namespace pollen::sim
