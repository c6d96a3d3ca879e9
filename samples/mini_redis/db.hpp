#pragma once
// Db: mini_redis's keyspace (Tokio mini-redis's `Db`, grown into Redis's
// data types): a hash map from key to Entry, each a value of one of Redis's
// types (string, list, hash, set, sorted set) with an optional deadline.
//
// One std::mutex guards it all. A command locks it once, through `lock()`,
// and runs to its end under that Guard, so every command is atomic, the
// multi-key ones (MSET, RENAME, LMOVE...) included, and EXEC runs a whole
// transaction under one Guard. A connection keeps its Guard across the
// requests of a pipeline that are already buffered (as Redis runs a
// client's buffered requests back to back): one lock per batch. Every
// command is a short, bounded piece of work that never waits while holding
// it, so an async mutex would buy nothing: a task that finds it taken is
// blocked for microseconds.
//
// Keyspace, what the Guard gives access to, is Redis's redisDb:
//
//   - Expiry, twice as in Redis: lazily, since `find` treats a key past its
//     deadline as missing (and removes it), and actively, since a background
//     task calls `Db::purge_expired` so that keys nobody reads again do not
//     stay in memory. Deadlines are Unix times in milliseconds, as Redis
//     keeps them (EXPIREAT, and a TTL of centuries, just work); they also
//     live in an ordered set, so the purge looks only at keys that are due.
//   - WATCH: `touch(key)` is Redis's signalModifiedKey, called by every
//     command that changes a key (deletion by expiry included). A watched
//     key has a version that each touch bumps; EXEC compares it with the one
//     WATCH saw. With nothing watched a touch is one `empty()` test.
//   - Blocked clients (BLPOP, BRPOP, BLMOVE; blocking.hpp): a FIFO of
//     waiters per key, and the keys that became ready (a list was created
//     where clients wait), served after each command as Redis's
//     handleClientsBlockedOnKeys does.
//
// Thread-safe through Db only: Keyspace itself is used under the Guard.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "hash_type.hpp"
#include "set_type.hpp"
#include "zset_type.hpp"

namespace mini_redis {

using List = std::deque<std::string>;

/// The value's type, in the order of Entry::Value's alternatives.
enum class Type { String, List, Hash, Set, ZSet };

/// TYPE's answer: "string", "list", "hash", "set", "zset".
const char* type_name(Type t);

struct Entry {
    /// A string inline (the common case stays one allocation); the
    /// aggregates behind a pointer, so that an entry stays small.
    using Value = std::variant<std::string, std::unique_ptr<List>, std::unique_ptr<Hash>, std::unique_ptr<Set>,
                               std::unique_ptr<ZSet>>;
    static constexpr std::int64_t kNoExpiry = -1;

    Value value;
    std::int64_t expires_at = kNoExpiry;  ///< Unix time in ms

    Type type() const { return static_cast<Type>(value.index()); }
};

struct Waiter;  // blocking.hpp

class Keyspace {
public:
    using Map = std::unordered_map<std::string, Entry>;
    using iterator = Map::iterator;

    Keyspace();

    /// Unix time in ms, read once per command (Redis's command time
    /// snapshot), only when a deadline needs it.
    std::int64_t now();
    void new_command() { now_ = -1; }

    iterator end() { return entries_.end(); }
    /// The live entry for `key`, or end(): an expired one is removed first.
    iterator find(const std::string& key);
    /// Adds `key`, which must be absent. A new list where clients wait makes
    /// the key ready.
    iterator insert(const std::string& key, Entry::Value value);
    /// Removes the entry (and its deadline); the caller touches the key.
    void erase(iterator it);
    /// Deletes `key` if live; true if it was (touched).
    bool remove(const std::string& key);
    /// Sets (or, with kNoExpiry, removes) the deadline.
    void set_expiry(iterator it, std::int64_t at_ms);
    std::size_t size() const { return entries_.size(); }
    /// FLUSHDB: empties the keyspace, touching the watched keys that existed.
    void clear();
    /// Removes up to `max` keys whose deadline is <= now; returns how many.
    std::size_t purge_expired(std::int64_t now_ms, std::size_t max);

    /// Redis's dictScan over the buckets of the map: from `cursor`, visits
    /// buckets until `count` keys were given to `fn` (or ten times `count`
    /// buckets); returns the next cursor, 0 at the end. A cursor names the
    /// table size too: after the table grew, the scan starts over, so a key
    /// present throughout is still returned (perhaps twice).
    template <class Fn>
    std::uint64_t scan(std::uint64_t cursor, std::size_t count, Fn&& fn);
    /// Every entry, for KEYS (expired ones included: the caller filters).
    const Map& entries() const { return entries_; }

    // ---- WATCH
    /// Registers one more watcher of `key`; returns its version.
    std::uint64_t watch(const std::string& key);
    void unwatch(const std::string& key);
    std::uint64_t version(const std::string& key) const;
    /// A command changed `key` (Redis's signalModifiedKey).
    void touch(const std::string& key) {
        if (!watched_.empty()) bump(key);
    }

    // ---- blocked clients (blocking.cpp)
    void block(const std::shared_ptr<Waiter>& w);
    /// Takes `w` off every queue; false if it was served already.
    bool unblock(Waiter& w);
    /// Serves the clients blocked on the keys that became ready, in the
    /// order they blocked (Redis's handleClientsBlockedOnKeys).
    void serve_blocked();
    bool has_ready() const { return !ready_.empty(); }
    /// Clients waiting in a blocking command (INFO's blocked_clients).
    std::size_t blocked_clients() const { return blocked_clients_; }

    std::mt19937_64& rng() { return rng_; }

private:
    void bump(const std::string& key);
    void forget_deadline(const iterator& it);

    Map entries_;
    std::set<std::pair<std::int64_t, std::string>> deadlines_;
    std::int64_t now_ = -1;

    struct Watch {
        std::uint64_t version = 0;
        std::size_t watchers = 0;
    };
    std::unordered_map<std::string, Watch> watched_;

    std::unordered_map<std::string, std::deque<std::shared_ptr<Waiter>>> blocking_;
    std::vector<std::string> ready_;
    std::unordered_set<std::string> ready_set_;
    std::size_t blocked_clients_ = 0;

    std::mt19937_64 rng_;
};

class Db {
public:
    /// The clock of the deadlines: Redis's are wall-clock Unix times.
    using Clock = std::chrono::system_clock;

    /// The locked keyspace: a command's whole run.
    class Guard {
    public:
        explicit Guard(Db& db) : lock_(db.mu_), ks_(&db.ks_) { ks_->new_command(); }
        Keyspace* operator->() const { return ks_; }
        Keyspace& operator*() const { return *ks_; }
        /// The next command under the same lock (a connection's pipelined
        /// requests, see execute): each command has its own time.
        void next_command() const { ks_->new_command(); }

    private:
        std::unique_lock<std::mutex> lock_;
        Keyspace* ks_;
    };

    Guard lock() { return Guard(*this); }
    /// Active expiry: removes up to `max` keys whose deadline is <= `now`.
    std::size_t purge_expired(Clock::time_point now, std::size_t max);

private:
    std::mutex mu_;
    Keyspace ks_;
};

/// Unix time in milliseconds (Redis's mstime()).
std::int64_t unix_ms();

template <class Fn>
std::uint64_t Keyspace::scan(std::uint64_t cursor, std::size_t count, Fn&& fn) {
    const std::uint64_t buckets = entries_.bucket_count();
    std::uint64_t bucket = cursor & 0xffffffffu;
    if ((cursor >> 32) != buckets || bucket >= buckets) bucket = 0;  // the table changed: start over
    std::size_t given = 0;
    std::size_t visits = count * 10 + 1;
    auto now_ms = now();
    while (bucket < buckets && visits-- > 0 && given < count) {
        for (auto it = entries_.begin(bucket); it != entries_.end(bucket); ++it) {
            if (it->second.expires_at != Entry::kNoExpiry && it->second.expires_at <= now_ms) continue;
            fn(it->first, it->second);
            ++given;
        }
        ++bucket;
    }
    return bucket >= buckets ? 0 : (buckets << 32 | bucket);
}

}  // namespace mini_redis
