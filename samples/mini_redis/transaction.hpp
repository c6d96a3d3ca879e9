#pragma once
// Transaction: one connection's MULTI / EXEC state and its WATCHed keys
// (Redis's multiState and watched_keys), part of its Session.
//
// Between MULTI and EXEC every command but EXEC, DISCARD, MULTI, WATCH and
// QUIT is checked (name, arity) and queued; a refused one makes the
// transaction dirty, and EXEC then answers EXECABORT. WATCH records each
// key's version (db.hpp); EXEC runs the queue under one Db lock, or answers
// the null array if a watched key changed meanwhile. The watches are given
// back by EXEC, DISCARD, UNWATCH, and by the destructor when the client
// leaves (which takes the Db lock: Db must outlive the Session, as State
// outlives the Connection holding both). One thread at a time.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "db.hpp"

namespace mini_redis {

struct Transaction {
    struct Watched {
        std::string key;
        std::uint64_t version = 0;
    };

    bool active = false;  ///< between MULTI and EXEC / DISCARD
    bool dirty = false;   ///< a command was refused while queueing
    std::vector<std::vector<std::string>> queued;
    std::vector<Watched> watched;
    Db* db = nullptr;  ///< set by the first WATCH

    Transaction() = default;
    Transaction(Transaction&& o) noexcept
        : active(o.active), dirty(o.dirty), queued(std::move(o.queued)), watched(std::exchange(o.watched, {})),
          db(o.db) {}
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction() {
        if (!watched.empty() && db) unwatch_all(*db->lock());
    }

    void unwatch_all(Keyspace& ks) {
        for (const auto& w : watched) ks.unwatch(w.key);
        watched.clear();
    }
    /// Ends MULTI without running anything, and forgets the watches.
    void discard(Keyspace& ks) {
        active = false;
        dirty = false;
        queued.clear();
        unwatch_all(ks);
    }
};

}  // namespace mini_redis
