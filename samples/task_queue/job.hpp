#pragma once
// job: what a task_queue job is, where it lives in Redis, and the Lua
// scripts that make its hand-offs atomic. Pure: no I/O.
//
// A job is the text "ID LO HI"; its result is the sum of the squares of
// LO..HI (mod 2^64), in decimal. Job ID's range is fixed by its ID, so the
// `results` checker can recompute every answer without the queue.
//
// Keys (the reliable-queue pattern):
//   queue:pending              list; producers LPUSH, workers BLMOVE from the right
//   queue:processing:<worker>  list; the jobs a worker has taken and not acknowledged
//   workers                    set of registered worker ids (reapers also look at every processing list)
//   worker:<id>:heartbeat      string with an expiry, refreshed while the worker lives
//   results                    hash: job id -> result
//   results:log                list: one job id per acknowledgement (duplicates show here)
//   jobs:next_id               counter: producers reserve id ranges with INCRBY
//
// Delivery is at least once: a job is always in exactly one of pending, one
// processing list, or done (acknowledged), and every move between them is
// one atomic command or script. A worker that dies with jobs in hand leaves
// them in its processing list, whence a reaper (once its heartbeat expired)
// or its own next start (same id) gives them back, so such a job runs again.
// Its result is recorded once all the same: only the acknowledgement that
// finds the job still in its worker's list records it, and recording is
// idempotent (HSET of a value fixed by the job).
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

/// Lua shared by the scripts below: moves every job of one processing list
/// back to the pending queue, at the end workers take from next, one LMOVE
/// at a time, and returns how many. Inside a script nothing else runs
/// meanwhile, so two hand-backs (a reaper's, a starting worker's) never both
/// move one job, and a job is always in exactly one list.
inline const std::string kGiveBackLua = R"lua(
local function give_back(list, pending)
  local n = 0
  while redis.call('LMOVE', list, pending, 'RIGHT', 'RIGHT') do n = n + 1 end
  return n
end
)lua";

/// What a starting worker runs first: the jobs an earlier run with the same
/// id left in its processing list (it was killed, and restarted before any
/// reaper saw its heartbeat expire, which the new run's heartbeat now
/// prevents) go back to pending. Nobody else holds them: that run is dead,
/// and a worker id belongs to one live worker at a time.
/// KEYS: processing list, queue:pending. Returns the jobs moved.
inline const std::string kGiveBackScript = kGiveBackLua + "return give_back(KEYS[1], KEYS[2])\n";

/// Gives the jobs of dead workers back to the pending queue and forgets
/// those workers. A worker is dead when its heartbeat key is gone. The
/// candidates are the registered workers and the owner of every processing
/// list, found by SCAN: a worker that stalled past its heartbeat is reaped
/// and unregistered, may take one more job before its next beat registers it
/// again, and may die right then; its list is found all the same. (The SCAN
/// walks the database's whole keyspace, a few keys per worker here; a
/// database shared with much else would page through it from the client.)
/// KEYS: workers, queue:pending. ARGV: heartbeat key prefix and suffix,
/// processing key prefix. Returns {dead workers, jobs moved}.
inline const std::string kReapScript = kGiveBackLua + R"lua(
local candidates = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do candidates[id] = true end
local cursor = '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[3] .. '*', 'COUNT', 100)
  cursor = page[1]
  for _, key in ipairs(page[2]) do candidates[string.sub(key, #ARGV[3] + 1)] = true end
until cursor == '0'
local dead, moved = 0, 0
for id in pairs(candidates) do
  if redis.call('EXISTS', ARGV[1] .. id .. ARGV[2]) == 0 then
    dead = dead + 1
    moved = moved + give_back(ARGV[3] .. id, KEYS[2])
    redis.call('SREM', KEYS[1], id)
  end
end
return {dead, moved}
)lua";

/// The reap script as a command, for RedisClient::call.
inline std::vector<std::string> reap_command() {
    return {"EVAL", kReapScript, "2", kWorkers, kPending, "worker:", ":heartbeat", "queue:processing:"};
}

/// The give-back script for one worker's processing list, as a command.
inline std::vector<std::string> give_back_command(std::string_view worker) {
    return {"EVAL", kGiveBackScript, "2", processing_key(worker), kPending};
}

}  // namespace task_queue
