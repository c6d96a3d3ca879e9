#pragma once
// Db: mini_redis's keyspace, a hash map of string keys to string values,
// each with an optional deadline (Tokio mini-redis's `Db`).
//
// Expiry is enforced twice, as in Redis: lazily, since every access treats a
// key past its deadline as missing (and removes it), and actively, since a
// background task calls purge_expired() so that keys nobody reads again do
// not stay in memory. The deadlines live in an ordered set next to the map,
// so the purge looks only at keys that are due.
//
// One std::mutex guards everything. Every operation is a short, bounded
// piece of work that never waits while holding it, so an async mutex would
// buy nothing: a task that finds it taken is blocked for microseconds.
// Thread-safe; shared by every connection.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

namespace mini_redis {

class Db {
public:
    using Clock = std::chrono::steady_clock;

    /// SET's options: EX/PX (ttl), NX/XX (when), KEEPTTL, GET.
    struct SetOptions {
        enum class When { Always, IfMissing, IfExists };
        std::optional<Clock::duration> ttl;
        When when = When::Always;
        bool keep_ttl = false;
    };
    /// What SET did: whether it wrote, and the value before (for SET ... GET).
    struct SetOutcome {
        bool written = false;
        std::optional<std::string> previous;
    };
    enum class IncrError { None, NotInteger, Overflow };

    std::optional<std::string> get(const std::string& key);
    SetOutcome set(const std::string& key, std::string value, const SetOptions& opts);
    /// True if the key existed.
    bool del(const std::string& key);
    bool exists(const std::string& key);
    /// Adds `delta` to the integer stored at `key` (0 if missing), keeping its TTL.
    IncrError incr_by(const std::string& key, std::int64_t delta, std::int64_t& result);
    /// Sets a deadline `ttl` from now; a ttl <= 0 deletes the key. False if
    /// the key does not exist.
    bool expire(const std::string& key, Clock::duration ttl);
    /// Removes the deadline. True if there was one.
    bool persist(const std::string& key);
    /// Milliseconds left: -2 if the key is missing, -1 if it never expires.
    std::int64_t pttl(const std::string& key);
    std::size_t size();
    void clear();

    /// Removes up to `max` keys whose deadline is <= now; returns how many.
    /// Bounded so that one purge never holds the lock for long.
    std::size_t purge_expired(Clock::time_point now, std::size_t max);

private:
    struct Entry {
        std::string value;
        std::optional<Clock::time_point> expires_at;
    };
    using Map = std::unordered_map<std::string, Entry>;

    /// The live entry for `key`, or end(); an expired one is removed first.
    Map::iterator find_live(const std::string& key, Clock::time_point now);
    void erase(Map::iterator it);
    void set_deadline(Map::iterator it, std::optional<Clock::time_point> at);

    std::mutex mu_;
    Map entries_;
    std::set<std::pair<Clock::time_point, std::string>> deadlines_;
};

}  // namespace mini_redis
