// produce, recover, results: task_queue's short-lived subcommands. Each is a
// script of a few Redis calls, run one after the other with block_on: what
// an `async fn main` that awaits each call in turn amounts to. (The worker,
// worker.cpp, is where tasks run side by side.)
#include <cstdio>
#include <string>
#include <vector>

#include "job.hpp"
#include "modes.hpp"
#include "redis_client.hpp"

using namespace std::chrono_literals;

namespace task_queue {
namespace {

std::optional<RedisClient> connect(pollen::Runtime& rt, const Options& opts, const char* mode) {
    auto addr = opts.redis_addr();
    if (!addr) {
        std::fprintf(stderr, "task_queue %s: bad --redis-host '%s'\n", mode, opts.redis_host.c_str());
        return std::nullopt;
    }
    auto client = rt.block_on(RedisClient::connect(*addr));
    if (client.is_err()) {
        std::fprintf(stderr, "task_queue %s: connect to %s: %s\n", mode, addr->to_string().c_str(),
                     client.error().message().c_str());
        return std::nullopt;
    }
    return std::move(client).value();
}

/// The replies, or nullopt (reported) on an io error or a Redis error reply.
std::optional<std::vector<resp::Value>> run(pollen::Runtime& rt, Call call, const char* mode) {
    auto r = rt.block_on(std::move(call));
    if (r.is_err()) {
        std::fprintf(stderr, "task_queue %s: redis: %s\n", mode, r.error().message().c_str());
        return std::nullopt;
    }
    for (const auto& v : r.value()) {
        if (v.is_error()) {
            std::fprintf(stderr, "task_queue %s: redis said: %s\n", mode, v.str.c_str());
            return std::nullopt;
        }
    }
    return std::move(r).value();
}

}  // namespace

int produce(const Options& opts) {
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(opts.threads).enable_all().build();
    auto client = connect(rt, opts, "produce");
    if (!client) return 1;
    // Reserve an id range first, so that producers running at once never
    // reuse an id.
    auto last = run(rt, client->call({"INCRBY", kNextId, std::to_string(opts.jobs)}), "produce");
    if (!last) return 1;
    std::uint64_t first = static_cast<std::uint64_t>(last->at(0).integer) - opts.jobs + 1;

    // Every job goes in one write: LPUSH commands of up to 1000 jobs each, pipelined.
    std::vector<RedisClient::Command> pushes;
    for (std::uint64_t id = first; id < first + opts.jobs; ++id) {
        if (pushes.empty() || pushes.back().size() == 1002) pushes.push_back({"LPUSH", kPending});
        pushes.back().push_back(Job::for_id(id).encode());
    }
    if (!pushes.empty() && !run(rt, client->call(pushes), "produce")) return 1;
    std::printf("queued %llu job(s), ids %llu..%llu\n", static_cast<unsigned long long>(opts.jobs),
                static_cast<unsigned long long>(first), static_cast<unsigned long long>(first + opts.jobs - 1));
    return 0;
}

int recover(const Options& opts) {
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(opts.threads).enable_all().build();
    auto client = connect(rt, opts, "recover");
    if (!client) return 1;
    auto r = run(rt, client->call({reap_command()}), "recover");
    if (!r) return 1;
    const auto& counts = r->at(0).elements;
    if (counts.size() != 2) {
        std::fprintf(stderr, "task_queue recover: unexpected reply from the reap script\n");
        return 1;
    }
    std::printf("recovered %lld job(s) from %lld dead worker(s)\n", static_cast<long long>(counts[1].integer),
                static_cast<long long>(counts[0].integer));
    return 0;
}

int results(const Options& opts) {
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(opts.threads).enable_all().build();
    auto client = connect(rt, opts, "results");
    if (!client) return 1;

    auto deadline = pollen::time::Instant::now() + std::chrono::seconds(opts.timeout_s);
    for (;;) {
        auto n = run(rt, client->call({"HLEN", kResults}), "results");
        if (!n) return 1;
        if (static_cast<std::uint64_t>(n->at(0).integer) >= opts.expect || pollen::time::Instant::now() >= deadline) break;
        rt.block_on(pollen::time::sleep(100ms));
    }
    auto r = run(rt, client->call({{"HGETALL", kResults}, {"LLEN", kResultsLog}}), "results");
    if (!r) return 1;
    const auto& pairs = r->at(0).elements;
    std::uint64_t present = pairs.size() / 2, correct = 0;
    for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
        std::uint64_t id = std::strtoull(pairs[i].str.c_str(), nullptr, 10);
        if (pairs[i + 1].str == std::to_string(Job::for_id(id).compute())) ++correct;
        else std::fprintf(stderr, "task_queue results: job %s: wrong result %s\n", pairs[i].str.c_str(), pairs[i + 1].str.c_str());
    }
    auto acks = static_cast<std::uint64_t>(r->at(1).integer);
    std::printf("results: %llu of %llu present, %llu correct, %llu acknowledgement(s)\n",
                static_cast<unsigned long long>(present), static_cast<unsigned long long>(opts.expect),
                static_cast<unsigned long long>(correct), static_cast<unsigned long long>(acks));
    // Exactly once: every result there, right, and acknowledged a single time.
    return present == opts.expect && correct == opts.expect && acks == opts.expect ? 0 : 1;
}

}  // namespace task_queue
