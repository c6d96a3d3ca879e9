// work: a task_queue worker. It runs --concurrency Slots side by side, each
// with its own Redis connection (BLMOVE blocks the connection it is sent
// on), and a heartbeat on one more connection, all as tasks of one runtime.
//
// A Slot is the loop that would be, in Rust,
//
//     while !shutdown.is_cancelled() {
//         let Some(job) = redis.blmove(PENDING, processing, Right, Left, 1s).await? else { continue };
//         sleep(work).await;                        // the "work"
//         redis.eval(ACK, [processing, RESULTS, LOG], [job, id, result]).await?;
//     }
//
// written as a state machine with one state per `.await`. A job is only
// ever in queue:pending, in this worker's processing list, or done (its
// result recorded and the job removed from the list, atomically, by the ack
// script), so a worker that dies at any point loses nothing: its jobs sit in
// its processing list until a reaper, seeing its heartbeat expired, moves
// them back to pending. Each worker is such a reaper (every third beat), and
// `task_queue recover` is one on demand.
//
// On SIGINT/SIGTERM the slots stop taking jobs and finish the one in hand
// (a BLMOVE waiting on an empty queue returns within a second); then the
// worker unregisters and exits 0. --crash-after K instead _exits in the
// middle of the K-th job, after taking it and before acknowledging it.
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

/// The first error in `r` (io or a Redis error reply), or "" if none.
std::string failure(const Call::Output& r) {
    if (r.is_err()) return r.error().message();
    for (const auto& v : r.value()) {
        if (v.is_error()) return v.str;
    }
    return {};
}

/// One job at a time: take, work, acknowledge, until shutdown. Ready with
/// true after a clean stop, false if Redis failed.
class Slot : public pollen::FutureExt<Slot> {
public:
    using Output = bool;

    Slot(std::shared_ptr<WorkerShared> shared, RedisClient client, const pollen::CancellationToken& shutdown)
        : shared_(std::move(shared)), client_(std::move(client)), shutdown_(shutdown.cancelled()) {}
    Slot(Slot&&) = default;

    Poll<bool> poll(Context& cx) {
        for (;;) {
            switch (step_) {
                case Step::Take:
                    // Shutdown is looked at only here, with no job in hand.
                    if (shutdown_.poll(cx).is_ready()) return pollen::Ready<bool>{true};
                    // A timeout, so that a slot waiting on an empty queue still
                    // sees the shutdown within a second.
                    call_.emplace(client_.call({"BLMOVE", kPending, shared_->processing, "RIGHT", "LEFT", "1"}));
                    step_ = Step::Taking;
                    break;
                case Step::Taking: {
                    auto p = call_->poll(cx);
                    if (p.is_pending()) return pollen::pending;
                    auto r = p.take();
                    call_.reset();
                    if (auto why = failure(r); !why.empty()) return fail("BLMOVE", why);
                    resp::Value& v = r.value()[0];
                    if (v.is_null()) {  // nothing came within the timeout
                        step_ = Step::Take;
                        break;
                    }
                    job_ = std::move(v.str);
                    std::uint64_t n = shared_->taken.fetch_add(1) + 1;
                    if (n == shared_->opts.crash_after) {
                        std::fprintf(stderr, "worker %s: crashing on purpose in job %llu (%s)\n",
                                     shared_->opts.id.c_str(), static_cast<unsigned long long>(n), job_.c_str());
                        std::fflush(stderr);
                        std::_Exit(kCrashStatus);  // no destructors, no acknowledgement: as if killed
                    }
                    work_.emplace(pollen::time::sleep(std::chrono::milliseconds(shared_->opts.work_ms)));
                    step_ = Step::Working;
                    break;
                }
                case Step::Working: {
                    if (work_->poll(cx).is_pending()) return pollen::pending;
                    work_.reset();
                    // The computation is a few microseconds; heavier work would
                    // go to spawn_blocking so as not to hold a worker thread.
                    auto job = Job::decode(job_);
                    std::string id = job ? std::to_string(job->id) : "malformed:" + job_;
                    std::string result = job ? std::to_string(job->compute()) : "malformed";
                    call_.emplace(client_.call({"EVAL", kAckScript, "3", shared_->processing, kResults, kResultsLog,
                                                job_, id, result}));
                    step_ = Step::Acking;
                    break;
                }
                case Step::Acking: {
                    auto p = call_->poll(cx);
                    if (p.is_pending()) return pollen::pending;
                    auto r = p.take();
                    call_.reset();
                    if (auto why = failure(r); !why.empty()) return fail("ack", why);
                    if (r.value()[0].integer == 0) {
                        // A reaper thought us dead and gave the job back: whoever
                        // finishes it records it.
                        std::fprintf(stderr, "worker %s: job %s was reclaimed, result dropped\n",
                                     shared_->opts.id.c_str(), job_.c_str());
                    }
                    shared_->done.fetch_add(1);
                    step_ = Step::Take;
                    break;
                }
            }
        }
    }

private:
    enum class Step { Take, Taking, Working, Acking };

    Poll<bool> fail(const char* what, const std::string& why) {
        std::fprintf(stderr, "worker %s: %s: %s\n", shared_->opts.id.c_str(), what, why.c_str());
        return pollen::Ready<bool>{false};
    }

    std::shared_ptr<WorkerShared> shared_;
    RedisClient client_;
    pollen::WaitForCancellation shutdown_;
    Step step_ = Step::Take;
    std::optional<Call> call_;  // borrows client_: declared after it
    std::optional<pollen::time::Sleep> work_;
    std::string job_;
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
/// slots are done unregisters. Ready with the exit status.
class Worker : public pollen::FutureExt<Worker> {
public:
    using Output = int;

    Worker(std::shared_ptr<WorkerShared> shared, RedisClient beat_client, std::vector<RedisClient> slot_clients)
        : shared_(std::move(shared)),
          client_(std::move(beat_client)),
          slot_clients_(std::move(slot_clients)),
          tick_(pollen::time::interval(std::chrono::milliseconds(std::max<std::uint64_t>(shared_->opts.heartbeat_ms / 3, 1)))) {
        tick_.set_missed_tick_behavior(pollen::time::MissedTickBehavior::Delay);
    }

    Poll<int> poll(Context& cx) {
        if (!started_) {
            started_ = true;
            if (!start()) return pollen::Ready<int>{1};
        }
        if (!stopping_ && signalled(cx)) {
            std::fprintf(stderr, "worker %s: stopping after the jobs in hand\n", shared_->opts.id.c_str());
            stop();
        }
        // Collect the slots as they end.
        while (!slots_.is_empty()) {
            auto p = slots_.poll_join_next(cx);
            if (p.is_pending() || !p.value()) break;
            auto& joined = *p.value();
            if (joined.is_err() || !joined.value()) {
                failed_ = true;
                stop();
            }
        }
        // Beat until the slots are gone: a draining worker still holds jobs.
        if (!leave_) {
            for (;;) {
                if (beat_) {
                    auto p = beat_->poll(cx);
                    if (p.is_pending()) break;
                    auto r = p.take();
                    beat_.reset();
                    if (!report_beat(r)) {
                        failed_ = true;
                        stop();
                    }
                }
                if (slots_.is_empty()) break;
                if (tick_.poll_tick(cx).is_pending()) break;
                beat_.emplace(client_.call(beat_commands(*shared_, ++beats_ % 3 == 0)));
            }
            if (beat_ || !slots_.is_empty()) return pollen::pending;
            // Every slot stopped with its job acknowledged: our processing list
            // is empty, so nobody needs to reap us.
            leave_.emplace(client_.call({{"SREM", kWorkers, shared_->opts.id}, {"DEL", heartbeat_key(shared_->opts.id)}}));
        }
        auto p = leave_->poll(cx);
        if (p.is_pending()) return pollen::pending;
        auto why = failure(p.take());
        if (!why.empty()) std::fprintf(stderr, "worker %s: unregister: %s\n", shared_->opts.id.c_str(), why.c_str());
        std::fprintf(stderr, "worker %s: done, %llu job(s) completed\n", shared_->opts.id.c_str(),
                     static_cast<unsigned long long>(shared_->done.load()));
        return pollen::Ready<int>{failed_ || !why.empty() ? 1 : 0};
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
        for (auto& c : slot_clients_) slots_.spawn(Slot(shared_, std::move(c), shutdown_));
        slot_clients_.clear();
        std::printf("worker %s ready\n", shared_->opts.id.c_str());
        std::fflush(stdout);
        return true;
    }

    bool signalled(Context& cx) {
        bool hit = sigint_->poll_recv(cx).is_ready();
        return sigterm_->poll_recv(cx).is_ready() || hit;
    }

    void stop() {
        stopping_ = true;
        shutdown_.cancel();
    }

    bool report_beat(const Call::Output& r) {
        if (auto why = failure(r); !why.empty()) {
            std::fprintf(stderr, "worker %s: heartbeat: %s\n", shared_->opts.id.c_str(), why.c_str());
            return false;
        }
        if (r.value().size() == 3 && r.value()[2].elements.size() == 2 && r.value()[2].elements[1].integer > 0) {
            std::fprintf(stderr, "worker %s: recovered %lld job(s) from %lld dead worker(s)\n",
                         shared_->opts.id.c_str(), static_cast<long long>(r.value()[2].elements[1].integer),
                         static_cast<long long>(r.value()[2].elements[0].integer));
        }
        return true;
    }

    std::shared_ptr<WorkerShared> shared_;
    RedisClient client_;
    std::vector<RedisClient> slot_clients_;
    pollen::time::Interval tick_;
    bool started_ = false, stopping_ = false, failed_ = false;
    std::optional<pollen::signal::Signal> sigint_, sigterm_;
    pollen::CancellationToken shutdown_;
    pollen::JoinSet<bool> slots_;
    std::uint64_t beats_ = 0;
    std::optional<Call> beat_, leave_;  // borrow client_: declared after it
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
    // before any job is taken: a job must never be in a processing list
    // that no reaper knows of.
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
    auto hello = rt.block_on(beat_client.call(beat_commands(*shared, false)));
    if (auto why = failure(hello); !why.empty()) {
        std::fprintf(stderr, "worker %s: register: %s\n", opts.id.c_str(), why.c_str());
        return 1;
    }
    return rt.block_on(Worker(shared, std::move(beat_client), std::move(clients)));
}

}  // namespace task_queue
