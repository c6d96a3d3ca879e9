// The simulation runtime (Builder::new_simulation): the same seed replays the
// same run event for event, seeds differ in their schedules, the virtual clock
// jumps, a deadlock names its tasks, and what would break determinism throws.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>

using namespace pollen;
using namespace std::chrono_literals;

namespace {

using Log = std::shared_ptr<std::vector<int>>;

/// Timers: sleeps of its own lengths, then logs its id.
struct Sleeper : Async<Sleeper, void> {
    int id;
    Log log;
    int i = 0;
    POLLEN_FRAME;
    Sleeper(int n, Log l) : id(n), log(std::move(l)) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (i = 0; i < 3; ++i) {
            // Equal deadlines across tasks: their order is the timer heap's
            // registration order, which the schedule decides.
            POLLEN_AWAIT(time::sleep(std::chrono::milliseconds(10 * ((id + i) % 3))));
            log->push_back(id);
        }
        POLLEN_END;
    }
};

/// Channels: sends `count` tagged values, yielding between them.
struct Producer : Async<Producer, void> {
    mpsc::Sender<int> tx;
    int id, count, i = 0;
    POLLEN_FRAME;
    Producer(mpsc::Sender<int> t, int n, int c) : tx(std::move(t)), id(n), count(c) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (i = 0; i < count; ++i) {
            POLLEN_LET(std::ignore, tx.send(id * 100 + i));
            POLLEN_AWAIT(yield_now());
        }
        POLLEN_END;
    }
};

struct Consumer : Async<Consumer, std::vector<int>> {
    mpsc::Receiver<int> rx;
    std::optional<int> v;
    std::vector<int> got;
    POLLEN_FRAME;
    explicit Consumer(mpsc::Receiver<int> r) : rx(std::move(r)) {}
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (;;) {
            POLLEN_LET(v, rx.recv());
            if (!v) break;
            got.push_back(*v);
        }
        POLLEN_RETURN(std::move(got));
        POLLEN_END;
    }
};

/// Mutex contention: each worker holds the lock across a yield.
struct Locker : Async<Locker, void> {
    std::shared_ptr<Mutex<std::vector<int>>> m;
    int id, i = 0;
    std::optional<MutexGuard<std::vector<int>>> guard;
    POLLEN_FRAME;
    Locker(std::shared_ptr<Mutex<std::vector<int>>> mu, int n) : m(std::move(mu)), id(n) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (i = 0; i < 4; ++i) {
            POLLEN_LET(guard, m->lock());
            (*guard)->push_back(id);
            POLLEN_AWAIT(yield_now());
            guard.reset();
            POLLEN_AWAIT(yield_now());
        }
        POLLEN_END;
    }
};

/// JoinSet: workers under timeouts; logs who finished and who timed out.
struct TimedWorker : Async<TimedWorker, int> {
    int id;
    POLLEN_FRAME;
    explicit TimedWorker(int n) : id(n) {}
    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_AWAIT(yield_now());
        POLLEN_AWAIT(time::sleep(std::chrono::milliseconds(5 * (id % 4))));
        POLLEN_RETURN(id);
        POLLEN_END;
    }
};

struct JoinAll : Async<JoinAll, std::vector<int>> {
    JoinSet<Result<int, time::Elapsed>> set;
    JoinSet<Result<int, time::Elapsed>>::Output next;
    std::vector<int> got;
    int i = 0;
    POLLEN_FRAME;
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (i = 0; i < 8; ++i) set.spawn(time::timeout(12ms, TimedWorker(i)));
        for (;;) {
            POLLEN_LET(next, set.join_next());
            if (!next) break;
            got.push_back(**next ? ***next : -1);
        }
        POLLEN_RETURN(std::move(got));
        POLLEN_END;
    }
};

// ---- the scenarios: each returns what it observed ----

std::vector<int> timers(Runtime& rt) {
    auto log = std::make_shared<std::vector<int>>();
    std::vector<JoinHandle<void>> hs;
    for (int id = 0; id < 6; ++id) hs.push_back(rt.spawn(Sleeper(id, log)));
    for (auto& h : hs) EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
    return *log;
}

std::vector<int> channel_scenario(Runtime& rt) {
    auto [tx, rx] = mpsc::channel<int>(2);
    for (int p = 1; p <= 3; ++p) rt.spawn(Producer(tx, p, 5));
    drop(std::move(tx));
    return rt.block_on(Consumer(std::move(rx)));
}

std::vector<int> mutex_contention(Runtime& rt) {
    auto m = std::make_shared<Mutex<std::vector<int>>>();
    std::vector<JoinHandle<void>> hs;
    for (int id = 0; id < 4; ++id) hs.push_back(rt.spawn(Locker(m, id)));
    for (auto& h : hs) EXPECT_TRUE(rt.block_on(std::move(h)).is_ok());
    return m->get_mut();
}

std::vector<int> join_set(Runtime& rt) { return rt.block_on(JoinAll()); }

struct Outcome {
    std::vector<int> observed;
    sim::Stats stats;
};

template <class Scenario>
Outcome run(std::uint64_t seed, Scenario scenario) {
    Runtime rt = Builder::new_simulation(seed).build();
    Outcome o;
    o.observed = scenario(rt);
    o.stats = rt.simulation_stats();
    return o;
}

template <class Scenario>
void expect_replays(Scenario scenario) {
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
        Outcome a = run(seed, scenario), b = run(seed, scenario);
        EXPECT_EQ(a.stats, b.stats) << a.stats.to_string() << " vs " << b.stats.to_string();
        EXPECT_EQ(a.observed, b.observed) << "seed " << seed;
        EXPECT_GT(a.stats.events, 10u);
        EXPECT_EQ(a.stats.seed, seed);
    }
}

template <class Scenario>
std::size_t distinct_schedules(Scenario scenario, std::set<std::vector<int>>* observed = nullptr) {
    std::set<std::uint64_t> hashes;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        Outcome o = run(seed, scenario);
        hashes.insert(o.stats.hash);
        if (observed) observed->insert(o.observed);
    }
    return hashes.size();
}

/// Waits on a oneshot that nobody sends on (its sender is kept elsewhere).
struct WaitForever : Async<WaitForever, void> {
    oneshot::Receiver<int> rx;
    POLLEN_FRAME;
    explicit WaitForever(oneshot::Receiver<int> r) : rx(std::move(r)) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET(std::ignore, std::move(rx));
        POLLEN_END;
    }
};

}  // namespace

TEST(SimRuntime, TheSameSeedReplaysTimersEventForEvent) { expect_replays(timers); }
TEST(SimRuntime, TheSameSeedReplaysChannelsEventForEvent) { expect_replays(channel_scenario); }
TEST(SimRuntime, TheSameSeedReplaysMutexContentionEventForEvent) { expect_replays(mutex_contention); }
TEST(SimRuntime, TheSameSeedReplaysAJoinSetUnderTimeoutsEventForEvent) { expect_replays(join_set); }

TEST(SimRuntime, DifferentSeedsGiveDifferentSchedules) {
    std::set<std::vector<int>> orders;
    EXPECT_GE(distinct_schedules(channel_scenario, &orders), 2u);
    EXPECT_GE(orders.size(), 2u) << "the consumer saw the same order under 20 seeds";
    std::set<std::vector<int>> lock_orders;
    EXPECT_GE(distinct_schedules(mutex_contention, &lock_orders), 2u);
    EXPECT_GE(lock_orders.size(), 2u);
    EXPECT_GE(distinct_schedules(timers), 2u);
}

TEST(SimRuntime, ScenariosKeepTheirGuaranteesUnderEverySchedule) {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        std::vector<int> got = channel_scenario(*std::make_unique<Runtime>(Builder::new_simulation(seed).build()));
        // Each producer's values arrive in its own order, whatever the interleaving.
        ASSERT_EQ(got.size(), 15u);
        for (int p = 1; p <= 3; ++p) {
            int last = -1;
            for (int v : got)
                if (v / 100 == p) {
                    EXPECT_GT(v, last);
                    last = v;
                }
        }
        Runtime rt = Builder::new_simulation(seed).build();
        std::vector<int> joined = join_set(rt);
        // 12 ms budget: ids with 0, 5 or 10 ms of sleep finish, 15 ms (id % 4 == 3) time out.
        std::multiset<int> finished(joined.begin(), joined.end());
        EXPECT_EQ(finished, (std::multiset<int>{-1, -1, 0, 1, 2, 4, 5, 6}));
    }
}

TEST(SimRuntime, ATenSecondSleepJumpsTheVirtualClock) {
    Runtime rt = Builder::new_simulation(1).build();
    auto [start, end] = rt.block_on(lazy([] { return time::Instant::now(); }).then([](time::Instant s) {
        return time::sleep(10s).map([s] { return std::pair{s, time::Instant::now()}; });
    }));
    EXPECT_EQ(end - start, 10s);  // exactly: nothing but the jump moved the clock
    EXPECT_EQ(rt.simulation_stats().elapsed, 10s);
}

TEST(SimRuntime, VirtualTimeStartsAtTheSameInstantInEveryRun) {
    auto start = [](std::uint64_t seed) {
        Runtime rt = Builder::new_simulation(seed).build();
        return rt.block_on(lazy([] { return time::Instant::now(); }));
    };
    EXPECT_EQ(start(1), start(2));
}

TEST(SimRuntime, IntervalAndTimeoutRunOnTheVirtualClock) {
    Runtime rt = Builder::new_simulation(3).build();
    struct Ticks : Async<Ticks, int> {
        time::Interval iv = time::interval(100ms);
        int n = 0;
        POLLEN_FRAME;
        Poll<int> poll(Context& cx) {
            POLLEN_BEGIN(cx);
            for (;;) {
                POLLEN_AWAIT(iv.tick());
                ++n;
            }
            POLLEN_END;
        }
    };
    // The first tick is immediate, then one each 100 ms: 11 ticks by 1 s, and
    // the timeout (at 1050 ms) ends it between two of them.
    // Made under enter(): the interval and the timeout read the virtual clock.
    auto inside = rt.enter();
    auto r = rt.block_on(time::timeout(1050ms, Ticks()));
    EXPECT_TRUE(r.is_err());
    EXPECT_EQ(rt.simulation_stats().elapsed, 1050ms);
}

TEST(SimRuntime, ADeadlockStopsTheRunAndNamesTheStuckTasks) {
    Runtime rt = Builder::new_simulation(5).build();
    auto [tx, rx] = oneshot::channel<int>();  // tx lives on, unsent: the task can never be woken
    int line = __LINE__ + 1;
    JoinHandle<void> stuck = rt.spawn(WaitForever(std::move(rx)));
    try {
        (void)rt.block_on(std::move(stuck));
        FAIL() << "block_on returned";
    } catch (const sim::SimulationDeadlock& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("deadlock"), std::string::npos) << what;
        EXPECT_NE(what.find("task 1 idle"), std::string::npos) << what;
        EXPECT_NE(what.find("sim_runtime_test.cpp:" + std::to_string(line)), std::string::npos) << what;
        EXPECT_NE(what.find("POLLEN_SIM_SEED=5"), std::string::npos) << what;
        EXPECT_EQ(e.stats().seed, 5u);
        EXPECT_EQ(e.stats(), rt.simulation_stats());
    }
}

TEST(SimRuntime, ATimeLimitStopsARunThatNeverEnds) {
    Runtime rt = Builder::new_simulation(2).simulation_time_limit(5s).build();
    struct Forever : Async<Forever, void> {
        POLLEN_FRAME;
        Poll<void> poll(Context& cx) {
            POLLEN_BEGIN(cx);
            for (;;) POLLEN_AWAIT(time::sleep(700ms));
            POLLEN_END;
        }
    };
    EXPECT_THROW(rt.block_on(Forever()), sim::TimeLimitExceeded);
    EXPECT_EQ(rt.simulation_stats().elapsed, 4900ms);  // 7 sleeps; the 8th would pass 5 s
}

TEST(SimRuntime, AnEventLimitStopsALivelockThatNeverSleeps) {
    Runtime rt = Builder::new_simulation(3).simulation_event_limit(1000).build();
    struct Spinner : Async<Spinner, void> {
        POLLEN_FRAME;
        Poll<void> poll(Context& cx) {
            POLLEN_BEGIN(cx);
            for (;;) POLLEN_AWAIT(yield_now());
            POLLEN_END;
        }
    };
    auto a = rt.spawn(Spinner());
    try {
        (void)rt.block_on(std::move(a));
        ADD_FAILURE() << "no limit";
    } catch (const sim::EventLimitExceeded& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("event limit of 1000"), std::string::npos) << what;
        EXPECT_NE(what.find("task 1 "), std::string::npos) << what;
        EXPECT_EQ(e.stats().events, 1001u);
        EXPECT_EQ(e.stats().elapsed, 0ns);  // it never slept
    }
}

TEST(SimRuntime, RefusesSpawnBlockingAndBlockInPlace) {
    Runtime rt = Builder::new_simulation(0).build();
    auto expect_refused = [&](auto attempt) {
        try {
            rt.block_on(lazy(attempt));
            ADD_FAILURE() << "not refused";
        } catch (const std::logic_error& e) {
            EXPECT_NE(std::string(e.what()).find("simulation"), std::string::npos) << e.what();
        }
    };
    expect_refused([] { (void)spawn_blocking([] { return 1; }); });
    expect_refused([] { (void)Handle::current().spawn_blocking([] { return 1; }); });
    expect_refused([] { (void)block_in_place([] { return 1; }); });
    expect_refused([] { time::resume(); });
    EXPECT_THROW((void)rt.spawn_blocking([] { return 1; }), std::logic_error);
    // fs:: runs on the blocking pool: refused too (from its first poll).
    EXPECT_THROW((void)rt.block_on(fs::read_to_string("/etc/hostname")), std::logic_error);
}

TEST(SimRuntime, RefusesRealSocketsPipesAndProcesses) {
    Runtime rt = Builder::new_simulation(0).build();
    auto refused = [&](auto attempt) {
        try {
            rt.block_on(lazy(attempt));
        } catch (const std::logic_error& e) {
            return std::string(e.what()).find("refused inside a simulation") != std::string::npos;
        }
        return false;
    };
    EXPECT_TRUE(refused([] { (void)net::TcpListener::bind("127.0.0.1:0"); }));
    EXPECT_TRUE(refused([] { (void)net::UdpSocket::bind("127.0.0.1:0"); }));
    EXPECT_TRUE(refused([] { (void)net::UnixStream::pair(); }));
    EXPECT_TRUE(refused([] { (void)process::Command("true").spawn(); }));
    EXPECT_TRUE(refused([] { (void)signal::signal(SIGUSR1); }));
    try {
        (void)rt.block_on(net::TcpStream::connect("127.0.0.1:9"));
        ADD_FAILURE() << "connect not refused";
    } catch (const std::logic_error& e) {
        EXPECT_NE(std::string(e.what()).find("refused inside a simulation"), std::string::npos) << e.what();
    }
}

TEST(SimRuntime, AWakeFromAnotherThreadStopsTheRun) {
    Runtime rt = Builder::new_simulation(0).build();
    auto [tx, rx] = oneshot::channel<int>();
    JoinHandle<void> waiter = rt.spawn(WaitForever(std::move(rx)));
    {
        auto inside = rt.enter();
        rt.block_on(time::sleep(1ms));  // meanwhile the waiter polled, parked on the channel
    }
    std::thread([tx = std::move(tx)]() mutable { (void)std::move(tx).send(1); }).join();
    try {
        (void)rt.block_on(std::move(waiter));
        FAIL() << "block_on returned";
    } catch (const sim::SimulationError& e) {
        EXPECT_NE(std::string(e.what()).find("woken from a thread other than the simulation"), std::string::npos)
            << e.what();
    }
}

TEST(SimRuntime, RandomBelowFollowsTheSeedAndLeavesTheScheduleAlone) {
    auto draws = [](std::uint64_t seed, bool draw) {
        Runtime rt = Builder::new_simulation(seed).build();
        std::vector<int> got;
        if (draw)
            rt.block_on(lazy([&] {
                for (int i = 0; i < 8; ++i) got.push_back(int(sim::random_below(1000)));
            }));
        std::vector<int> order = channel_scenario(rt);
        return std::pair{got, order};
    };
    EXPECT_EQ(draws(4, true), draws(4, true));
    EXPECT_NE(draws(4, true).first, draws(5, true).first);
    // The scenario's draws come from a stream of their own.
    EXPECT_EQ(draws(4, true).second, draws(4, false).second);
    EXPECT_THROW(sim::random_below(3), std::logic_error);  // outside a simulation
    EXPECT_FALSE(sim::in_simulation());
}

TEST(SimRuntime, SelectOnBranchOrderReplaysWithTheSeed) {
    auto picks = [](std::uint64_t seed) {
        Runtime rt = Builder::new_simulation(seed).build();
        std::vector<int> got;
        for (int i = 0; i < 16; ++i)
            got.push_back(rt.block_on(select_on(branch(future::ready(1)), branch(future::ready(2)),
                                                branch(future::ready(3)))));
        return got;
    };
    EXPECT_EQ(picks(9), picks(9));
    std::set<std::vector<int>> distinct;
    for (std::uint64_t seed = 0; seed < 5; ++seed) distinct.insert(picks(seed));
    EXPECT_GE(distinct.size(), 2u);
}

TEST(SimRuntime, OtherFlavoursHaveNoSimulationStats) {
    Runtime rt = Builder::new_current_thread().build();
    EXPECT_THROW((void)rt.simulation_stats(), std::logic_error);
}

TEST(SimRuntime, SimSeedFromTheEnvironmentReplacesTheBuildersSeed) {
    ::setenv("POLLEN_SIM_SEED", "77", 1);
    EXPECT_EQ(Builder::new_simulation(3).build().simulation_stats().seed, 77u);
    ::setenv("POLLEN_SIM_SEED", "7x", 1);
    EXPECT_THROW((void)Builder::new_simulation(3), std::invalid_argument);
    ::unsetenv("POLLEN_SIM_SEED");
    EXPECT_EQ(Builder::new_simulation(3).build().simulation_stats().seed, 3u);
}

TEST(SimRuntime, ATimerMadeOutsideTheRuntimeReadsTheRealClockSoItIsAlreadyDue) {
    // The pitfall docs/simulation.md warns of, pinned down: made before
    // block_on and outside enter(), the sleep's deadline is real time, which
    // lies before the virtual start in every run, so it is due at once.
    Runtime rt = Builder::new_simulation(0).build();
    rt.block_on(time::sleep(10s));
    EXPECT_EQ(rt.simulation_stats().elapsed, 0s);
    auto inside = rt.enter();
    rt.block_on(time::sleep(10s));
    EXPECT_EQ(rt.simulation_stats().elapsed, 10s);
}

namespace {
/// Writes its text through a small in-memory pipe, then closes its end.
struct DuplexWriter : Async<DuplexWriter, void> {
    std::optional<io::DuplexStream> end;
    std::string text;
    POLLEN_FRAME;
    DuplexWriter(io::DuplexStream e, std::string t) : end(std::move(e)), text(std::move(t)) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET(std::ignore, io::write_all(*end, std::as_bytes(std::span(text))));
        end.reset();  // the reader sees end of stream
        POLLEN_END;
    }
};
}  // namespace

TEST(SimRuntime, InMemoryIoRunsUnderTheSimulation) {
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
        Runtime rt = Builder::new_simulation(seed).build();
        auto [a, b] = io::duplex(3);  // every write partial: many wakes each way
        rt.spawn(DuplexWriter(std::move(a), "hello, simulated world"));
        std::string got;
        auto r = rt.block_on(io::read_to_string(b, got));
        ASSERT_TRUE(r.is_ok());
        EXPECT_EQ(got, "hello, simulated world");
    }
}

TEST(SimRuntime, BlockOnFromAnotherThreadThanTheBuildersIsRefused) {
    Runtime rt = Builder::new_simulation(0).build();
    bool refused = false;
    std::thread([&] {
        try {
            rt.block_on(future::ready());
        } catch (const std::logic_error&) {
            refused = true;
        }
    }).join();
    EXPECT_TRUE(refused);
    rt.block_on(future::ready());  // on its own thread it runs
}
