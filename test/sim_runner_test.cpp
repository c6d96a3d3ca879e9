// sim::run_seeds: stops at the first failing seed and says how to replay it,
// replays a seed from POLLEN_SIM_SEED, catches a scenario that is not
// deterministic; and the seeds per minute of a small scenario.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <pollen.hpp>

using namespace pollen;
using namespace std::chrono_literals;

namespace {

/// The classic lost update: read, yield, write back. Whether two of them
/// interleave badly is up to the schedule.
struct Increment : Async<Increment, void> {
    std::shared_ptr<int> counter;
    int seen = 0;
    POLLEN_FRAME;
    explicit Increment(std::shared_ptr<int> c) : counter(std::move(c)) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        seen = *counter;
        POLLEN_AWAIT(yield_now());
        *counter = seen + 1;
        POLLEN_END;
    }
};

void racy_counter(Runtime& rt) {
    auto counter = std::make_shared<int>(0);
    auto a = rt.spawn(Increment(counter));
    auto b = rt.spawn(Increment(counter));
    (void)rt.block_on(std::move(a));
    (void)rt.block_on(std::move(b));
    if (*counter != 2) throw std::runtime_error("lost update: counter is " + std::to_string(*counter));
}

/// Reads what a report went to.
struct Capture {
    std::FILE* f = std::tmpfile();
    ~Capture() { std::fclose(f); }
    std::string text() {
        std::fflush(f);
        std::rewind(f);
        std::string out;
        char buf[512];
        while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
        return out;
    }
};

struct Pinger : Async<Pinger, void> {
    mpsc::Sender<int> tx;
    int i = 0;
    POLLEN_FRAME;
    explicit Pinger(mpsc::Sender<int> t) : tx(std::move(t)) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (i = 0; i < 10; ++i) {
            POLLEN_AWAIT(time::sleep(1s));
            POLLEN_LET(std::ignore, tx.send(i));
        }
        POLLEN_END;
    }
};

struct Drain : Async<Drain, int> {
    mpsc::Receiver<int> rx;
    std::optional<int> v;
    int n = 0;
    POLLEN_FRAME;
    explicit Drain(mpsc::Receiver<int> r) : rx(std::move(r)) {}
    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (;;) {
            POLLEN_LET(v, rx.recv());
            if (!v) break;
            ++n;
        }
        POLLEN_RETURN(n);
        POLLEN_END;
    }
};

/// Three pingers, one second apart for ten virtual seconds, into one channel.
void small_scenario(Runtime& rt) {
    auto [tx, rx] = mpsc::channel<int>(4);
    for (int i = 0; i < 3; ++i) rt.spawn(Pinger(tx));
    drop(std::move(tx));
    if (rt.block_on(Drain(std::move(rx))) != 30) throw std::runtime_error("lost a ping");
}

}  // namespace

TEST(SimRunner, StopsAtTheFirstFailingSeedAndSaysHowToReplayIt) {
    Capture out;
    sim::RunOptions opts;
    opts.report_to = out.f;
    sim::RunReport r = sim::run_seeds(1000, racy_counter, opts);
    ASSERT_FALSE(r.ok()) << "no seed of 1000 interleaved the two increments";
    std::uint64_t seed = r.failure->seed;
    EXPECT_EQ(r.seeds_run, seed + 1);
    EXPECT_NE(r.failure->message.find("lost update"), std::string::npos);
    ASSERT_TRUE(r.failure->stats);
    EXPECT_EQ(r.failure->stats->seed, seed);
    std::string text = out.text();
    EXPECT_NE(text.find("seed " + std::to_string(seed) + " failed"), std::string::npos) << text;
    EXPECT_NE(text.find("POLLEN_SIM_SEED=" + std::to_string(seed)), std::string::npos) << text;
    // Seeds before it pass, and it fails again, the same way, when replayed.
    for (std::uint64_t s = 0; s < seed; ++s) EXPECT_NO_THROW(sim::run_seed(s, racy_counter));
    for (int i = 0; i < 2; ++i) {
        try {
            sim::run_seed(seed, racy_counter);
            ADD_FAILURE() << "the failing seed passed on replay";
        } catch (const std::runtime_error& e) {
            EXPECT_STREQ(e.what(), r.failure->message.c_str());
        }
    }
}

TEST(SimRunner, StartsAtFirstSeedAndRunsAllSeedsOfAPassingScenario) {
    sim::RunOptions opts;
    opts.first_seed = 100;
    opts.check_determinism = true;
    sim::RunReport r = sim::run_seeds(20, small_scenario, opts);
    EXPECT_TRUE(r.ok()) << r.failure->message;
    EXPECT_EQ(r.seeds_run, 20u);
}

TEST(SimRunner, ReportsADeadlockAsTheSeedsFailure) {
    Capture out;
    sim::RunOptions opts;
    opts.report_to = out.f;
    sim::RunReport r = sim::run_seeds(5, [](Runtime& rt) {
        auto [tx, rx] = oneshot::channel<int>();
        (void)rt.block_on(std::move(rx));  // tx is alive and never sends
    }, opts);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure->seed, 0u);
    EXPECT_NE(r.failure->message.find("deadlock"), std::string::npos) << r.failure->message;
}

TEST(SimRunner, TheTimeLimitAppliesToEveryRun) {
    sim::RunOptions opts;
    opts.time_limit = 5s;
    opts.report_to = nullptr;
    sim::RunReport r = sim::run_seeds(3, small_scenario, opts);  // needs 10 s
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.failure->message.find("time limit"), std::string::npos) << r.failure->message;
}

TEST(SimRunner, TheEventLimitAppliesToEveryRun) {
    sim::RunOptions opts;
    opts.event_limit = 50;
    opts.report_to = nullptr;
    sim::RunReport r = sim::run_seeds(3, small_scenario, opts);  // logs far more
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.failure->message.find("event limit of 50"), std::string::npos) << r.failure->message;
    ASSERT_TRUE(r.failure->stats);
    EXPECT_EQ(r.failure->stats->events, 51u);
    opts.event_limit = 1'000'000;
    EXPECT_TRUE(sim::run_seeds(3, small_scenario, opts).ok());
}

TEST(SimRunner, CatchesAScenarioThatIsNotDeterministic) {
    // Something outside the simulation (here a counter that survives runs)
    // changes what the scenario does.
    auto runs = std::make_shared<int>(0);
    sim::RunOptions opts;
    opts.check_determinism = true;
    opts.report_to = nullptr;
    sim::RunReport r = sim::run_seeds(3, [runs](Runtime& rt) {
        int tasks = 1 + ++*runs % 2;  // 2, then 1, then 2...
        for (int i = 0; i < tasks; ++i) rt.spawn(yield_now());
        rt.block_on(time::sleep(1ms));
    }, opts);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure->seed, 0u);
    EXPECT_NE(r.failure->message.find("not deterministic"), std::string::npos) << r.failure->message;
}

TEST(SimRunner, ReplaysOnlyTheSeedOfPollenSimSeed) {
    ::setenv("POLLEN_SIM_SEED", "4242", 1);
    std::vector<std::uint64_t> seeds;
    sim::RunReport r = sim::run_seeds(50, [&](Runtime& rt) { seeds.push_back(rt.simulation_stats().seed); });
    ::unsetenv("POLLEN_SIM_SEED");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.seeds_run, 1u);
    EXPECT_EQ(seeds, std::vector<std::uint64_t>{4242});
}

TEST(SimRunner, SeedsPerMinuteOfASmallScenario) {
    // A measurement, not a check: printed for the record (no wall-clock assertion).
    constexpr std::uint64_t kSeeds = 1000;
    auto t0 = std::chrono::steady_clock::now();
    sim::RunReport r = sim::run_seeds(kSeeds, small_scenario);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_TRUE(r.ok());
    std::printf("[ MEASURE  ] %llu seeds of 3 tasks x 10 virtual seconds in %.3f s: %.0f seeds/minute\n",
                static_cast<unsigned long long>(kSeeds), s, kSeeds / s * 60);
}
