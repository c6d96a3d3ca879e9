#pragma once
/// The benchmark's registry: every scenario of ../shared/bench/SCENARIOS.md
/// and every extra command (`serve`, `load`, ...) registers itself from its
/// own .cpp file through a static Register* object, so a new workload is one
/// new file and main.cpp never changes.

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pollen {
class Runtime;
}

namespace pollen::bench {

/// Thrown by an iteration that went wrong; `run` exits 1 with its message.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// One scenario's state across iterations (the timed loop calls `iteration`
/// warmup + iters times on the same runtime).
class Bench {
public:
    virtual ~Bench() = default;
    virtual void iteration(Runtime& rt) = 0;
    /// Extra `key=value` pairs for the output line, after the usual keys.
    virtual std::vector<std::pair<std::string, std::string>> extra() const { return {}; }
};

struct Scenario {
    std::string_view name;
    int rank;            ///< position in `list`: SCENARIOS.md's order
    std::uint64_t ops;   ///< operations in one iteration
    std::unique_ptr<Bench> (*make)();
};

/// A top-level command besides `list` and `run` (e.g. `serve echo|http`).
struct Command {
    std::string_view name;
    std::string_view usage;  ///< appended to the usage line
    /// Receives the arguments after the command name; returns the exit status.
    int (*run)(std::span<const std::string> args);
};

/// Every scenario, in rank order.
std::vector<const Scenario*> scenarios();
const Scenario* find_scenario(std::string_view name);
std::vector<const Command*> commands();
const Command* find_command(std::string_view name);

struct RegisterScenario {
    explicit RegisterScenario(Scenario s);
};
struct RegisterCommand {
    explicit RegisterCommand(Command c);
};

/// A Bench made of a single callable `void(Runtime&)`.
template <class F>
std::unique_ptr<Bench> fn_bench(F f) {
    struct FnBench final : Bench {
        explicit FnBench(F f) : f_(std::move(f)) {}
        void iteration(Runtime& rt) override { f_(rt); }
        F f_;
    };
    return std::make_unique<FnBench>(std::move(f));
}

}  // namespace pollen::bench
