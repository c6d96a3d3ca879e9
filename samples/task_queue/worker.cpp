// work: a task_queue worker. It runs --concurrency slots side by side, each
// with its own Redis connection (BLMOVE blocks the connection it is sent
// on), and a heartbeat on one more connection, all as tasks of one runtime.
//
// Each slot is a loop that reads as the Rust `async fn` it stands for
// (JobSlot below, written with the resumable body of core/async_fn.hpp). A
// job is only ever in queue:pending, in this worker's processing list, or
// done (its result recorded and the job removed from the list, atomically,
// by the ack script), so a worker that dies at any point loses nothing: its
// jobs sit in its processing list until a reaper, seeing its heartbeat
// expired, moves them back to pending, or until the worker starts again with
// the same --id, which gives them back before taking any job. Each worker is
// such a reaper (every third beat), and `task_queue recover` is one on demand.
// Delivery is thus at least once: a job whose worker died runs again.
//
// On SIGINT/SIGTERM the slots stop taking jobs and finish the one in hand
// (a BLMOVE waiting on an empty queue returns within a second); then the
// worker unregisters and exits 0. --crash-after K instead _exits in the
// middle of the K-th job: just after taking it, or with --crash-at finished
// once its result is computed, just before acknowledging it.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "job.hpp"
#include "modes.hpp"
#include "redis_client.hpp"

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;

namespace task_queue {
namespace {

constexpr int kCrashStatus = 3;

/// What the slots of one worker share.
struct WorkerShared {
    Options opts;
    std::string processing;  ///< this worker's processing list
    std::atomic<std::uint64_t> taken{0};
    std::atomic<std::uint64_t> done{0};
};

/// A call's replies, or what went wrong (an io error or Redis's error reply)
/// after what the call was for.
using Replies = pollen::Result<std::vector<resp::Value>, std::string>;

/// `call`, with its failures turned into Replies' error.
auto checked(Call call, const char* what) {
    return std::move(call).map([what](Call::Output r) -> Replies {
        if (r.is_err()) return pollen::Err(std::string(what) + ": " + r.error().message());
        for (const auto& v : r.value()) {
            if (v.is_error()) return pollen::Err(std::string(what) + ": " + v.str);
        }
        return pollen::Ok(std::move(r).value());
    });
}

/// One job at a time: take, work, acknowledge, until shutdown. Ok after a
/// clean stop; Err(why) if Redis failed. In Rust:
///
///     async fn slot(shared, mut redis, shutdown) -> Result<(), String> {
///         while !shutdown.is_cancelled() {
///             let Some(job) = redis.blmove(PENDING, processing, Right, Left, 1s).await? else { continue };
///             count_taken(&job);                   // where --crash-after dies
///             sleep(work).await;                   // the "work"
///             if redis.eval(ACK, [processing, RESULTS, LOG], [job, id, result]).await? == 0 { /* reclaimed */ }
///             shared.done += 1;
///         }
///         Ok(())
///     }
class JobSlot : public pollen::Async<JobSlot, pollen::Result<void, std::string>> {
public:
    JobSlot(std::shared_ptr<WorkerShared> shared, RedisClient client, pollen::CancellationToken shutdown)
        : shared_(std::move(shared)), client_(std::move(client)), shutdown_(std::move(shutdown)) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        // Shutdown is looked at only here, with no job in hand.
        while (!shutdown_.is_cancelled()) {
            // A timeout, so that a slot waiting on an empty queue still sees
            // the shutdown within a second.
            POLLEN_LET_TRY(replies_, checked(client_.call({"BLMOVE", kPending, shared_->processing, "RIGHT", "LEFT", "1"}),
                                             "BLMOVE"));
            if (replies_[0].is_null()) continue;  // nothing came within the timeout
            job_ = std::move(replies_[0].str);
            nth_ = shared_->taken.fetch_add(1) + 1;
            crash_if_due(CrashPoint::kTaken);
            POLLEN_AWAIT(pollen::time::sleep(std::chrono::milliseconds(shared_->opts.work_ms)));
            POLLEN_LET_TRY(replies_, checked(acknowledge(), "ack"));
            if (replies_[0].integer == 0) {
                // A reaper thought us dead and gave the job back: whoever
                // finishes it records it.
                std::fprintf(stderr, "worker %s: job %s was reclaimed, result dropped\n", shared_->opts.id.c_str(),
                             job_.c_str());
            }
            shared_->done.fetch_add(1);
        }
        POLLEN_RETURN(pollen::Ok());
        POLLEN_END;
    }

private:
    /// --crash-after's K-th job dies here, at the point --crash-at names,
    /// with the job in hand.
    void crash_if_due(CrashPoint at) const {
        if (nth_ != shared_->opts.crash_after || at != shared_->opts.crash_at) return;
        std::fprintf(stderr, "worker %s: crashing on purpose in job %llu (%s), %s\n", shared_->opts.id.c_str(),
                     static_cast<unsigned long long>(nth_), job_.c_str(),
                     at == CrashPoint::kTaken ? "just taken" : "finished, not acknowledged");
        std::fflush(stderr);
        std::_Exit(kCrashStatus);  // no destructors, no acknowledgement: as if killed
    }

    /// Computes the job's result and sends it with the ack script. The
    /// computation is a few microseconds; heavier work would go to
    /// spawn_blocking so as not to hold a worker thread.
    Call acknowledge() {
        auto job = Job::decode(job_);
        std::string id = job ? std::to_string(job->id) : "malformed:" + job_;
        std::string result = job ? std::to_string(job->compute()) : "malformed";
        crash_if_due(CrashPoint::kFinished);
        return client_.call({"EVAL", kAckScript, "3", shared_->processing, kResults, kResultsLog, job_, id, result});
    }

    std::shared_ptr<WorkerShared> shared_;
    RedisClient client_;
    pollen::CancellationToken shutdown_;
    std::vector<resp::Value> replies_;
    std::string job_;
    std::uint64_t nth_ = 0;  ///< job_ is the nth_ job this worker took
    POLLEN_FRAME;
};

/// The heartbeat commands: prove we live, stay registered, and (when
/// `reap`) give dead workers' jobs back.
std::vector<RedisClient::Command> beat_commands(const WorkerShared& s, bool reap) {
    std::vector<RedisClient::Command> cmds = {
        {"SET", heartbeat_key(s.opts.id), "alive", "PX", std::to_string(s.opts.heartbeat_ms)},
        {"SADD", kWorkers, s.opts.id},
    };
    if (reap) cmds.push_back(reap_command());
    return cmds;
}

/// The worker: spawns the slots, beats, watches the signals, and once the
/// slots are done unregisters. Ready with the exit status. Between beats it
/// waits in a select! over the signals, the slots and the heartbeat's tick.
class Worker : public pollen::Async<Worker, int> {
public:
    Worker(std::shared_ptr<WorkerShared> shared, RedisClient beat_client, std::vector<RedisClient> slot_clients)
        : shared_(std::move(shared)),
          client_(std::move(beat_client)),
          slot_clients_(std::move(slot_clients)),
          tick_(pollen::time::interval(std::chrono::milliseconds(std::max<std::uint64_t>(shared_->opts.heartbeat_ms / 3, 1)))) {
        tick_.set_missed_tick_behavior(pollen::time::MissedTickBehavior::Delay);
    }

    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        if (!start()) POLLEN_RETURN(1);
        // Beat until the slots are gone: a draining worker still holds jobs.
        for (;;) {
            POLLEN_LET(beat_due_, pollen::poll_fn([this](Context& c) { return poll_next_beat(c); }));
            if (!beat_due_) break;
            POLLEN_LET(replies_, checked(client_.call(beat_commands(*shared_, ++beats_ % 3 == 0)), "heartbeat"));
            if (!report_beat(*replies_)) fail();
        }
        // Every slot stopped with its job acknowledged: our processing list
        // is empty, so nobody needs to reap us.
        POLLEN_LET(replies_, checked(client_.call({{"SREM", kWorkers, shared_->opts.id}, {"DEL", heartbeat_key(shared_->opts.id)}}),
                                     "unregister"));
        if (replies_->is_err()) std::fprintf(stderr, "worker %s: %s\n", shared_->opts.id.c_str(), replies_->error().c_str());
        std::fprintf(stderr, "worker %s: done, %llu job(s) completed\n", shared_->opts.id.c_str(),
                     static_cast<unsigned long long>(shared_->done.load()));
        POLLEN_RETURN(failed_ || replies_->is_err() ? 1 : 0);
        POLLEN_END;
    }

private:
    bool start() {
        // Signals before announcing readiness: a SIGTERM right after must find us.
        auto sigint = pollen::signal::signal(SIGINT);
        auto sigterm = pollen::signal::signal(SIGTERM);
        if (sigint.is_err() || sigterm.is_err()) {
            std::fprintf(stderr, "worker %s: cannot listen for signals\n", shared_->opts.id.c_str());
            return false;
        }
        sigint_.emplace(std::move(sigint).value());
        sigterm_.emplace(std::move(sigterm).value());
        for (auto& c : slot_clients_) slots_.spawn(JobSlot(shared_, std::move(c), shutdown_));
        slot_clients_.clear();
        std::printf("worker %s ready\n", shared_->opts.id.c_str());
        std::fflush(stdout);
        return true;
    }

    /// The select! between beats, over the signals (stop taking jobs), the
    /// slots (one that fails stops the others) and the heartbeat's tick:
    /// Ready with true when a beat is due, false once every slot has ended.
    Poll<bool> poll_next_beat(Context& cx) {
        if (!stopping_ && signalled(cx)) {
            std::fprintf(stderr, "worker %s: stopping after the jobs in hand\n", shared_->opts.id.c_str());
            stop();
        }
        while (!slots_.is_empty()) {
            auto p = slots_.poll_join_next(cx);
            if (p.is_pending() || !p.value()) break;
            auto& joined = *p.value();
            if (joined.is_ok() && joined.value().is_err())
                std::fprintf(stderr, "worker %s: %s\n", shared_->opts.id.c_str(), joined.value().error().c_str());
            if (joined.is_err() || joined.value().is_err()) fail();
        }
        if (slots_.is_empty()) return pollen::Ready<bool>{false};
        if (tick_.poll_tick(cx).is_ready()) return pollen::Ready<bool>{true};
        return pollen::pending;
    }

    bool signalled(Context& cx) {
        bool hit = sigint_->poll_recv(cx).is_ready();
        return sigterm_->poll_recv(cx).is_ready() || hit;
    }

    void stop() {
        stopping_ = true;
        shutdown_.cancel();
    }
    void fail() {
        failed_ = true;
        stop();
    }

    bool report_beat(const Replies& r) {
        if (r.is_err()) {
            std::fprintf(stderr, "worker %s: %s\n", shared_->opts.id.c_str(), r.error().c_str());
            return false;
        }
        const auto& v = r.value();
        if (v.size() == 3 && v[2].elements.size() == 2 && v[2].elements[1].integer > 0) {
            std::fprintf(stderr, "worker %s: recovered %lld job(s) from %lld dead worker(s)\n", shared_->opts.id.c_str(),
                         static_cast<long long>(v[2].elements[1].integer), static_cast<long long>(v[2].elements[0].integer));
        }
        return true;
    }

    std::shared_ptr<WorkerShared> shared_;
    RedisClient client_;
    std::vector<RedisClient> slot_clients_;
    pollen::time::Interval tick_;
    bool stopping_ = false, failed_ = false, beat_due_ = false;
    std::optional<pollen::signal::Signal> sigint_, sigterm_;
    pollen::CancellationToken shutdown_;
    pollen::JoinSet<pollen::Result<void, std::string>> slots_;
    std::uint64_t beats_ = 0;
    std::optional<Replies> replies_;
    POLLEN_FRAME;
};

}  // namespace

int work(const Options& given) {
    auto shared = std::make_shared<WorkerShared>();
    shared->opts = given;
    Options& opts = shared->opts;
    if (opts.id.empty()) opts.id = "w" + std::to_string(::getpid());
    shared->processing = processing_key(opts.id);
    auto addr = opts.redis_addr();
    if (!addr) {
        std::fprintf(stderr, "worker: bad --redis-host '%s'\n", opts.redis_host.c_str());
        return 2;
    }

    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(opts.threads).enable_all().build();
    // Connect every client, then register (heartbeat, then the workers set)
    // before any job is taken, so that reapers leave our processing list
    // alone while we live.
    std::vector<RedisClient> clients;
    for (std::uint64_t i = 0; i <= opts.concurrency; ++i) {
        auto c = rt.block_on(RedisClient::connect(*addr));
        if (c.is_err()) {
            std::fprintf(stderr, "worker %s: connect to %s: %s\n", opts.id.c_str(), addr->to_string().c_str(),
                         c.error().message().c_str());
            return 1;
        }
        clients.push_back(std::move(c).value());
    }
    RedisClient beat_client = std::move(clients.back());
    clients.pop_back();
    // In the same pipeline, after registering: give back what an earlier run
    // with our id left in our processing list. Killed and restarted at once,
    // that run's jobs would otherwise stay there for good: our heartbeat
    // keeps the id alive, so no reaper ever takes them. That run is dead and
    // the kernel closed its connections, so Redis has run its last commands
    // before it reads ours: nothing of it lands in the list after this. (A
    // run on another machine that vanished without closing them may still
    // have a BLMOVE blocked in Redis, for at most its one-second timeout: a
    // job it takes then waits in our list for our next start. Give such a
    // worker a second before restarting it under the same id.)
    auto start_commands = beat_commands(*shared, false);
    start_commands.push_back(give_back_command(opts.id));
    auto hello = rt.block_on(checked(beat_client.call(start_commands), "register"));
    if (hello.is_err()) {
        std::fprintf(stderr, "worker %s: %s\n", opts.id.c_str(), hello.error().c_str());
        return 1;
    }
    if (auto returned = hello.value().back().integer; returned > 0) {
        std::fprintf(stderr, "worker %s: gave back %lld job(s) that an earlier run left in its processing list\n",
                     opts.id.c_str(), static_cast<long long>(returned));
    }
    return rt.block_on(Worker(shared, std::move(beat_client), std::move(clients)));
}

}  // namespace task_queue
