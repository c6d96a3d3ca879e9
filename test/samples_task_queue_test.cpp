// The task_queue sample against a real redis-server, started here on a free
// loopback port and killed at the end: a producer queues jobs, a worker
// crashes in the middle of a job, recovery gives its jobs back, two more
// workers finish everything, and every result is present exactly once and
// correct. Then each way a worker can die with jobs in hand: kill -9 and an
// immediate restart with the same id, a crash between finishing a job and
// acknowledging it, a dead worker that no longer was registered. Waits have
// generous limits that only turn a hang into a failure; nothing asserts how
// long anything took.
#include "support/redis_server.hpp"
#include "support/sample_process.hpp"

#include <sys/prctl.h>

#include <optional>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace pollen::test_support;

/// The workers' and the producer's flag naming the Redis to use.
std::string redis_flag(const RedisServer& redis) { return "--redis-port " + std::to_string(redis.port()); }

CommandRun task_queue(const std::string& args) { return run_command(sample_path("task_queue") + " " + args, 180); }

/// A worker in the background. ServerProcess waits for its first line,
/// `worker W ready`; workers listen on no port, so its port() stays empty.
std::vector<std::string> worker_args(const RedisServer& redis, const std::string& id) {
    return {"work", "--redis-port", std::to_string(redis.port()), "--id", id, "--concurrency", "2", "--work-ms", "2"};
}

/// Polls `args` until it answers at least `want` (or gives up after 30 s).
long long wait_at_least(const RedisServer& redis, const std::string& args, long long want) {
    long long got = redis.cli_int(args);
    for (int i = 0; i < 1500 && got < want; ++i) {
        std::this_thread::sleep_for(20ms);
        got = redis.cli_int(args);
    }
    return got;
}

/// Stops `pid` (SIGSTOP) at a moment when its processing list holds jobs and
/// returns how many; the caller then kills it, with those jobs in hand.
/// While it is stopped the count cannot change: every command it sent
/// before stopping was read by Redis before redis-cli's.
long long stop_with_jobs_in_hand(const RedisServer& redis, pid_t pid, const std::string& id) {
    for (int i = 0; i < 500; ++i) {
        ::kill(pid, SIGSTOP);
        long long in_hand = redis.cli_int("LLEN queue:processing:" + id);
        if (in_hand > 0) return in_hand;
        ::kill(pid, SIGCONT);
        std::this_thread::sleep_for(5ms);
    }
    return 0;
}

}  // namespace

TEST(SamplesTaskQueue, NoJobIsLostWhenAWorkerCrashesMidJob) {
    RedisServer redis;
    ASSERT_GT(redis.port(), 0) << "could not start redis-server";

    CommandRun produced = task_queue("produce " + redis_flag(redis) + " --jobs 200");
    EXPECT_EQ(produced.status, 0) << produced.output;
    EXPECT_PRINTS(produced, "queued 200 job(s), ids 1..200");
    EXPECT_EQ(redis.cli("LLEN queue:pending"), "200");

    // The first worker takes jobs two at a time and dies inside its 5th.
    CommandRun crashed = task_queue("work " + redis_flag(redis) +
                                    " --id crashy --concurrency 2 --work-ms 2 --heartbeat-ms 300 --crash-after 5");
    EXPECT_EQ(crashed.status, 3) << crashed.output;
    EXPECT_PRINTS(crashed, "worker crashy: crashing on purpose in job 5");
    int stranded = std::atoi(redis.cli("LLEN queue:processing:crashy").c_str());
    EXPECT_GE(stranded, 1);
    EXPECT_LE(stranded, 2);  // the crashing job, and perhaps its sibling slot's
    int pending = std::atoi(redis.cli("LLEN queue:pending").c_str());
    int done = std::atoi(redis.cli("HLEN results").c_str());
    EXPECT_EQ(pending + stranded + done, 200);

    // Its heartbeat runs out; then recovery gives its jobs back.
    std::string alive = "1";
    for (int i = 0; i < 1500 && alive != "0"; ++i) {
        alive = redis.cli("EXISTS worker:crashy:heartbeat");
        if (alive != "0") std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(alive, "0");
    CommandRun recovered = task_queue("recover " + redis_flag(redis));
    EXPECT_EQ(recovered.status, 0) << recovered.output;
    EXPECT_PRINTS(recovered, "recovered " + std::to_string(stranded) + " job(s) from 1 dead worker(s)");
    EXPECT_EQ(redis.cli("LLEN queue:processing:crashy"), "0");
    EXPECT_EQ(redis.cli("LLEN queue:pending"), std::to_string(pending + stranded));
    EXPECT_EQ(redis.cli("SISMEMBER workers crashy"), "0");

    // Two healthy workers finish the rest.
    ServerProcess w1("task_queue", worker_args(redis, "w1"));
    ServerProcess w2("task_queue", worker_args(redis, "w2"));
    CommandRun checked = task_queue("results " + redis_flag(redis) + " --expect 200 --timeout-s 150");
    EXPECT_EQ(checked.status, 0) << checked.output;
    EXPECT_PRINTS(checked, "results: 200 of 200 present, 200 correct, 200 acknowledgement(s)");

    EXPECT_EQ(w1.stop(SIGTERM), 0);
    EXPECT_EQ(w2.stop(SIGINT), 0);
    EXPECT_EQ(redis.cli("LLEN queue:pending"), "0");
    EXPECT_EQ(redis.cli("LLEN queue:processing:w1"), "0");
    EXPECT_EQ(redis.cli("LLEN queue:processing:w2"), "0");
    EXPECT_EQ(redis.cli("SCARD workers"), "0");  // clean exits unregister
    EXPECT_EQ(redis.cli("EXISTS worker:w1:heartbeat"), "0");
    // Job 7's answer, checked independently: the sum of i*i for i in 7000..7999.
    EXPECT_EQ(redis.cli("HGET results 7"), "56325833500");
}

TEST(SamplesTaskQueue, WorkersReapADeadWorkersJobsThemselves) {
    RedisServer redis;
    ASSERT_GT(redis.port(), 0) << "could not start redis-server";
    ASSERT_EQ(task_queue("produce " + redis_flag(redis) + " --jobs 30").status, 0);
    CommandRun crashed = task_queue("work " + redis_flag(redis) + " --id gone --concurrency 1 --heartbeat-ms 300 --crash-after 3");
    EXPECT_EQ(crashed.status, 3) << crashed.output;
    EXPECT_EQ(redis.cli("LLEN queue:processing:gone"), "1");

    // No `recover` here: the running worker's own reaper finds the dead one.
    ServerProcess w("task_queue", {"work", "--redis-port", std::to_string(redis.port()), "--id", "alive",
                                   "--heartbeat-ms", "300"});
    CommandRun checked = task_queue("results " + redis_flag(redis) + " --expect 30 --timeout-s 150");
    EXPECT_EQ(checked.status, 0) << checked.output;
    EXPECT_PRINTS(checked, "results: 30 of 30 present, 30 correct, 30 acknowledgement(s)");
    EXPECT_EQ(redis.cli("LLEN queue:processing:gone"), "0");
    EXPECT_EQ(w.stop(SIGTERM), 0);
}

TEST(SamplesTaskQueue, IdleWorkerStopsOnSigtermAndUnregisters) {
    RedisServer redis;
    ASSERT_GT(redis.port(), 0) << "could not start redis-server";
    ServerProcess w("task_queue", worker_args(redis, "idle"));
    std::string member = "0";
    for (int i = 0; i < 500 && member != "1"; ++i) {
        member = redis.cli("SISMEMBER workers idle");
        if (member != "1") std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(member, "1");  // registered before taking any job
    EXPECT_EQ(w.stop(SIGTERM), 0);
    EXPECT_EQ(redis.cli("SISMEMBER workers idle"), "0");
    EXPECT_EQ(redis.cli("EXISTS worker:idle:heartbeat"), "0");
}

TEST(SamplesTaskQueue, ResultsFailsWhenJobsAreMissingAndBadUsageExits2) {
    RedisServer redis;
    ASSERT_GT(redis.port(), 0) << "could not start redis-server";
    ASSERT_EQ(task_queue("produce " + redis_flag(redis) + " --jobs 3").status, 0);
    CommandRun missing = task_queue("results " + redis_flag(redis) + " --expect 3 --timeout-s 0");
    EXPECT_EQ(missing.status, 1) << missing.output;
    EXPECT_PRINTS(missing, "results: 0 of 3 present");
    EXPECT_EQ(task_queue("dance").status, 2);
    EXPECT_EQ(task_queue("work --redis-port nope").status, 2);
    EXPECT_EQ(task_queue("work --crash-after 1 --crash-at never").status, 2);
    // No Redis there: an error, not a hang.
    CommandRun refused = task_queue("recover --redis-port " + std::to_string(free_port()));
    EXPECT_EQ(refused.status, 1) << refused.output;
}

// Issue 15: a worker killed with kill -9 and restarted at once with the same
// --id lost the jobs of its processing list. Its new run's heartbeat kept the
// id alive, so no reaper ever gave them back (1,998 of 2,000 done). A
// starting worker now gives back its own list first. Twice in a row, as the
// report had it.
TEST(SamplesTaskQueue, AWorkerKilledAndRestartedAtOnceWithItsIdLosesNoJob) {
    RedisServer redis;
    ASSERT_GT(redis.port(), 0) << "could not start redis-server";
    ASSERT_EQ(task_queue("produce " + redis_flag(redis) + " --jobs 400").status, 0);
    // A heartbeat far longer than the test: only the restart can give the jobs back.
    std::vector<std::string> args = {"work", "--redis-port", std::to_string(redis.port()), "--id", "w",
                                     "--concurrency", "4", "--work-ms", "10", "--heartbeat-ms", "600000"};
    std::optional<ServerProcess> worker;
    worker.emplace("task_queue", args);
    long long done = 0;
    for (int round = 1; round <= 2; ++round) {
        done = wait_at_least(redis, "HLEN results", done + 20);  // the worker (re)started works
        ASSERT_LT(done, 400) << "round " << round << ": everything done before the kill";
        long long in_hand = stop_with_jobs_in_hand(redis, worker->pid(), "w");
        ASSERT_GT(in_hand, 0) << "round " << round;
        EXPECT_EQ(worker->stop(SIGKILL), -1);
        worker.emplace("task_queue", args);  // at once, the same id
    }
    CommandRun checked = task_queue("results " + redis_flag(redis) + " --expect 400 --timeout-s 150");
    EXPECT_EQ(checked.status, 0) << checked.output;
    EXPECT_PRINTS(checked, "results: 400 of 400 present, 400 correct, 400 acknowledgement(s)");
    EXPECT_EQ(worker->stop(SIGTERM), 0);
    EXPECT_EQ(redis.cli("LLEN queue:processing:w"), "0");
    EXPECT_EQ(redis.cli("LLEN queue:pending"), "0");
}

// The other window of a job in hand: its result computed, its
// acknowledgement not sent. The job is still in the processing list, so it
// runs again (at least once), and its result is recorded once.
TEST(SamplesTaskQueue, ACrashBetweenFinishingAJobAndAcknowledgingItLosesNothing) {
    RedisServer redis;
    ASSERT_GT(redis.port(), 0) << "could not start redis-server";
    ASSERT_EQ(task_queue("produce " + redis_flag(redis) + " --jobs 20").status, 0);
    CommandRun crashed = task_queue("work " + redis_flag(redis) +
                                    " --id f --concurrency 1 --work-ms 1 --crash-after 3 --crash-at finished");
    EXPECT_EQ(crashed.status, 3) << crashed.output;
    EXPECT_PRINTS(crashed, "worker f: crashing on purpose in job 3 (3 3000 3999), finished, not acknowledged");
    EXPECT_EQ(redis.cli("LRANGE queue:processing:f 0 -1"), "3 3000 3999");
    EXPECT_EQ(redis.cli("HLEN results"), "2");

    ServerProcess again("task_queue", {"work", "--redis-port", std::to_string(redis.port()), "--id", "f",
                                       "--concurrency", "1", "--work-ms", "1"});
    CommandRun checked = task_queue("results " + redis_flag(redis) + " --expect 20 --timeout-s 150");
    EXPECT_EQ(checked.status, 0) << checked.output;
    EXPECT_PRINTS(checked, "results: 20 of 20 present, 20 correct, 20 acknowledgement(s)");
    EXPECT_EQ(again.stop(SIGTERM), 0);
    EXPECT_EQ(redis.cli("LLEN queue:processing:f"), "0");
}

// A worker that stalls past its heartbeat is reaped and unregistered; on
// waking it may take a job before its next beat registers it again, and die
// right then. Reapers used to look only at registered workers, so that job
// stayed in its list for good. They now look at every processing list.
// (The stall itself cannot be timed from here: the state it leaves is made
// with a crashed worker whose registration is then removed, as the reaper
// removed it.)
TEST(SamplesTaskQueue, ReapersFindADeadWorkersJobsEvenWhenItWasNoLongerRegistered) {
    RedisServer redis;
    ASSERT_GT(redis.port(), 0) << "could not start redis-server";
    ASSERT_EQ(task_queue("produce " + redis_flag(redis) + " --jobs 10").status, 0);
    CommandRun crashed = task_queue("work " + redis_flag(redis) + " --id stalled --concurrency 1 --heartbeat-ms 300 --crash-after 2");
    EXPECT_EQ(crashed.status, 3) << crashed.output;
    EXPECT_EQ(redis.cli("SREM workers stalled"), "1");
    EXPECT_EQ(redis.cli("LRANGE queue:processing:stalled 0 -1"), "2 2000 2999");
    std::string alive = "1";
    for (int i = 0; i < 1500 && alive != "0"; ++i) {
        alive = redis.cli("EXISTS worker:stalled:heartbeat");
        if (alive != "0") std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(alive, "0");

    CommandRun recovered = task_queue("recover " + redis_flag(redis));
    EXPECT_EQ(recovered.status, 0) << recovered.output;
    EXPECT_PRINTS(recovered, "recovered 1 job(s) from 1 dead worker(s)");
    EXPECT_EQ(redis.cli("EXISTS queue:processing:stalled"), "0");
    EXPECT_EQ(redis.cli("LINDEX queue:pending -1"), "2 2000 2999");  // the next one taken
    // A live worker's list is left alone, registered or not.
    EXPECT_EQ(redis.cli("SET worker:busy:heartbeat alive"), "OK");
    EXPECT_EQ(redis.cli("LPUSH queue:processing:busy \"9 9000 9999\""), "1");
    recovered = task_queue("recover " + redis_flag(redis));
    EXPECT_PRINTS(recovered, "recovered 0 job(s) from 0 dead worker(s)");
    EXPECT_EQ(redis.cli("LLEN queue:processing:busy"), "1");
}
