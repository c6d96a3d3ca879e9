// task_queue: distributed task processing on a real Redis server, through
// pollen's own asynchronous Redis client (redis_client.hpp), with the
// reliable-queue pattern: no job is lost when a worker dies mid-job.
//
//     task_queue produce --redis-port P --jobs N
//     task_queue work    --redis-port P [--id W] [--concurrency C] [--threads T]
//                        [--work-ms MS] [--heartbeat-ms MS]
//                        [--crash-after K [--crash-at taken|finished]]
//     task_queue recover --redis-port P
//     task_queue results --redis-port P --expect N [--timeout-s S]
//
// Every mode also takes --redis-host (127.0.0.1). `produce` queues N jobs;
// `work` processes jobs until SIGINT/SIGTERM (exit 0), printing
// `worker W ready` once registered; `recover` hands the jobs of workers whose
// heartbeat expired back to the queue (workers also do this themselves);
// `results` waits up to S seconds for N results and exits 0 only if every
// one is present, correct and acknowledged exactly once.
// A worker with --crash-after K exits with status 3 in the middle of its
// K-th job: just after taking it, or (--crash-at finished) with its result
// computed and not yet acknowledged. A worker started with the id of one
// that died first gives back the jobs that one held. Delivery is at least
// once: a job whose worker died is run again, and `results` checks that each
// result is still recorded exactly once. The keys and the job format are in
// job.hpp.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../server_args.hpp"
#include "modes.hpp"

namespace {

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "task_queue: %s\n"
                 "usage: task_queue produce|work|recover|results [--redis-host H] [--redis-port P] [--threads T]\n"
                 "         produce: --jobs N\n"
                 "         work:    [--id W] [--concurrency C] [--work-ms MS] [--heartbeat-ms MS]\n"
                 "                  [--crash-after K [--crash-at taken|finished]]\n"
                 "         results: --expect N [--timeout-s S]\n",
                 why);
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) usage("missing subcommand");
    std::string_view mode = argv[1];
    task_queue::Options opts;
    for (int i = 2; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (i + 1 >= argc) usage("missing value after a flag");
        std::string_view value = argv[++i];
        std::uint64_t n = 0;
        auto number = [&](std::uint64_t max, std::uint64_t min = 0) {
            if (!samples::parse_uint(value, max, n) || n < min) usage("bad number");
            return n;
        };
        if (flag == "--redis-host") opts.redis_host = value;
        else if (flag == "--redis-port") opts.redis_port = static_cast<std::uint16_t>(number(65535, 1));
        else if (flag == "--threads") opts.threads = number(1024, 1);
        else if (flag == "--jobs") opts.jobs = number(10'000'000, 1);
        else if (flag == "--id" && !value.empty() && value.find_first_of(" \r\n") == std::string_view::npos) opts.id = value;
        else if (flag == "--crash-after") opts.crash_after = number(UINT64_MAX);
        else if (flag == "--crash-at" && value == "taken") opts.crash_at = task_queue::CrashPoint::kTaken;
        else if (flag == "--crash-at" && value == "finished") opts.crash_at = task_queue::CrashPoint::kFinished;
        else if (flag == "--concurrency") opts.concurrency = number(256, 1);
        else if (flag == "--work-ms") opts.work_ms = number(60'000);
        else if (flag == "--heartbeat-ms") opts.heartbeat_ms = number(3'600'000, 30);
        else if (flag == "--expect") opts.expect = number(10'000'000);
        else if (flag == "--timeout-s") opts.timeout_s = number(86'400);
        else usage("bad flag or value");
    }
    if (mode == "produce") return task_queue::produce(opts);
    if (mode == "work") return task_queue::work(opts);
    if (mode == "recover") return task_queue::recover(opts);
    if (mode == "results") return task_queue::results(opts);
    usage("unknown subcommand");
}
