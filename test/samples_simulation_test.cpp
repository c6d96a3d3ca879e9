// samples/simulation: the replicated key-value store under the simulator.
// The correct store keeps its invariants over a range of seeds; the naive
// one (it acknowledges before replicating) loses an acknowledged write at
// a seed the runner finds, and replaying that seed gives the same run.
#include <gtest/gtest.h>

#include <cstdint>
#include <regex>
#include <string>

#include "support/sample_process.hpp"

using pollen::test_support::run_sample;

namespace {

std::string last_line(const std::string& out) {
    std::string s = out;
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
}

/// The first seed of 0..999 at which the naive store breaks an invariant
/// (the bar: the simulator finds its bug within 1,000 seeds), or "".
std::string naive_failing_seed() {
    static const std::string seed = [] {
        auto hunt = run_sample("simulation", "--seeds 1000 --naive");
        std::smatch m;
        if (hunt.status != 1 || !std::regex_search(hunt.output, m, std::regex("first failing seed=([0-9]+)")))
            return std::string();
        return m[1].str();
    }();
    return seed;
}

}  // namespace

TEST(SamplesSimulation, CorrectStoreKeepsItsInvariantsOverManySeeds) {
    auto run = run_sample("simulation", "--seeds 40");
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("seeds=40 "), std::string::npos) << run.output;
}

TEST(SamplesSimulation, OneSeedPrintsItsStatsLastAndReplaysThem) {
    auto first = run_sample("simulation", "--seed 3");
    auto second = run_sample("simulation", "--seed 3");
    ASSERT_EQ(first.status, 0) << first.output;
    EXPECT_TRUE(std::regex_match(last_line(first.output), std::regex("seed=3 events=[0-9]+ hash=[0-9a-f]{16}")))
        << first.output;
    EXPECT_EQ(last_line(first.output), last_line(second.output));
    auto other = run_sample("simulation", "--seed 4");
    EXPECT_NE(last_line(first.output).substr(7), last_line(other.output).substr(7));
}

TEST(SamplesSimulation, NaiveStoreLosesAnAcknowledgedWriteWithin1000SeedsAndTheReplayIsTheSame) {
    std::string seed = naive_failing_seed();
    ASSERT_FALSE(seed.empty()) << "the naive store passed 1,000 seeds";
    auto first = run_sample("simulation", "--seed " + seed + " --naive");
    auto replay = run_sample("simulation", "--seed " + seed + " --naive --trace");
    EXPECT_EQ(first.status, 1) << first.output;
    EXPECT_NE(first.output.find("acknowledged write lost"), std::string::npos) << first.output;
    EXPECT_TRUE(std::regex_match(last_line(first.output),
                                 std::regex("seed=" + seed + " events=[0-9]+ hash=[0-9a-f]{16}")))
        << first.output;
    // The traced replay is the same run: the same failure, the same stats.
    EXPECT_EQ(last_line(first.output), last_line(replay.output));
    EXPECT_NE(replay.output.find("(naive: before replication)"), std::string::npos);
    // The same seed with the correct leader keeps every acknowledged write.
    auto correct = run_sample("simulation", "--seed " + seed);
    EXPECT_EQ(correct.status, 0) << correct.output;
}

TEST(SamplesSimulation, TheRunnerStopsAtTheFirstFailingSeed) {
    std::string seed = naive_failing_seed();
    ASSERT_FALSE(seed.empty());
    std::uint64_t n = std::stoull(seed);
    std::uint64_t first = n >= 3 ? n - 3 : 0;
    auto run = run_sample("simulation", "--seeds 10 --first " + std::to_string(first) + " --naive");
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("first failing seed=" + seed), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("POLLEN_SIM_SEED=" + seed), std::string::npos) << run.output;
}

TEST(SamplesSimulation, BadArgumentsAreRefused) {
    EXPECT_EQ(run_sample("simulation", "").status, 2);
    EXPECT_EQ(run_sample("simulation", "--seed 1 --seeds 2").status, 2);
    EXPECT_EQ(run_sample("simulation", "--seed x").status, 2);
}
