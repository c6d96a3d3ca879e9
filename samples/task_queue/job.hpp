#pragma once
// job: what a task_queue job is, where it lives in Redis, and the two Lua
// scripts that make its hand-offs atomic. Pure: no I/O.
//
// A job is the text "ID LO HI"; its result is the sum of the squares of
// LO..HI (mod 2^64), in decimal. Job ID's range is fixed by its ID, so the
// `results` checker can recompute every answer without the queue.
//
// Keys (the reliable-queue pattern):
//   queue:pending              list; producers LPUSH, workers BLMOVE from the right
//   queue:processing:<worker>  list; the jobs a worker has taken and not acknowledged
//   workers                    set of worker ids that may hold jobs
//   worker:<id>:heartbeat      string with an expiry, refreshed while the worker lives
//   results                    hash: job id -> result
//   results:log                list: one job id per acknowledgement (duplicates show here)
//   jobs:next_id               counter: producers reserve id ranges with INCRBY
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace task_queue {

inline const std::string kPending = "queue:pending";
inline const std::string kWorkers = "workers";
inline const std::string kResults = "results";
inline const std::string kResultsLog = "results:log";
inline const std::string kNextId = "jobs:next_id";
inline std::string processing_key(std::string_view worker) { return "queue:processing:" + std::string(worker); }
inline std::string heartbeat_key(std::string_view worker) { return "worker:" + std::string(worker) + ":heartbeat"; }

struct Job {
    std::uint64_t id = 0, lo = 0, hi = 0;

    static constexpr std::uint64_t kSpan = 1000;
    static Job for_id(std::uint64_t id) { return {id, id * kSpan, id * kSpan + kSpan - 1}; }

    std::string encode() const { return std::to_string(id) + " " + std::to_string(lo) + " " + std::to_string(hi); }

    static std::optional<Job> decode(std::string_view s) {
        Job j;
        std::uint64_t* fields[] = {&j.id, &j.lo, &j.hi};
        const char* p = s.data();
        const char* end = s.data() + s.size();
        for (int i = 0; i < 3; ++i) {
            if (i > 0) {
                if (p == end || *p != ' ') return std::nullopt;
                ++p;
            }
            auto [next, ec] = std::from_chars(p, end, *fields[i]);
            if (ec != std::errc()) return std::nullopt;
            p = next;
        }
        if (p != end || j.lo > j.hi || j.hi - j.lo > 10'000'000) return std::nullopt;
        return j;
    }

    /// The work itself.
    std::uint64_t compute() const {
        std::uint64_t sum = 0;
        for (std::uint64_t x = lo; x <= hi; ++x) sum += x * x;
        return sum;
    }
};

/// Acknowledges a job: removes it from the worker's processing list and,
/// only if it was still there, records its result. A job that a reaper
/// already gave back (the worker was thought dead) is thus recorded once,
/// by whoever finishes it with the job still in hand.
/// KEYS: processing list, results, results:log. ARGV: job text, job id, result.
inline const char* const kAckScript = R"lua(
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  redis.call('RPUSH', KEYS[3], ARGV[2])
  return 1
end
return 0
)lua";

/// Gives the jobs of dead workers (registered, but no heartbeat) back to the
/// pending queue, at the end workers take from next, and forgets those
/// workers. Atomic, so concurrent reapers cannot both move one job.
/// KEYS: workers, queue:pending. ARGV: heartbeat key prefix and suffix,
/// processing key prefix. Returns {dead workers, jobs moved}.
inline const char* const kReapScript = R"lua(
local dead, moved = 0, 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. id .. ARGV[2]) == 0 then
    dead = dead + 1
    while redis.call('LMOVE', ARGV[3] .. id, KEYS[2], 'RIGHT', 'RIGHT') do moved = moved + 1 end
    redis.call('SREM', KEYS[1], id)
  end
end
return {dead, moved}
)lua";

/// The reap script as a command, for RedisClient::call.
inline std::vector<std::string> reap_command() {
    return {"EVAL", kReapScript, "2", kWorkers, kPending, "worker:", ":heartbeat", "queue:processing:"};
}

}  // namespace task_queue
