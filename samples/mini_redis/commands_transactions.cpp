// Transactions (Redis's multi.c): MULTI, EXEC, DISCARD, WATCH, UNWATCH.
// The queueing itself happens in commands.cpp's execute; the state is the
// Session's Transaction (transaction.hpp).
#include <algorithm>

#include "command_call.hpp"

namespace mini_redis::cmd {

void multi(Call& c) {
    if (c.session.tx.active) return c.error("ERR MULTI calls can not be nested");
    c.session.tx.active = true;
    c.ok();
}

void discard(Call& c) {
    if (!c.session.tx.active) return c.error("ERR DISCARD without MULTI");
    c.session.tx.discard(c.db);
    c.ok();
}

namespace {

/// Whether a watched key changed since WATCH. Looking each one up first
/// expires it if its deadline passed, which counts as a change, as Redis's
/// isWatchedKeyExpired makes it one.
bool watched_changed(Call& c) {
    for (const auto& w : c.session.tx.watched) {
        (void)c.db.find(w.key);
        if (c.db.version(w.key) != w.version) return true;
    }
    return false;
}

}  // namespace

void exec(Call& c) {
    Transaction& tx = c.session.tx;
    if (!tx.active) return c.error("ERR EXEC without MULTI");
    if (tx.dirty) {
        tx.discard(c.db);
        return c.error("EXECABORT Transaction discarded because of previous errors.");
    }
    if (watched_changed(c)) {
        tx.discard(c.db);
        return c.reply(resp::null_array());
    }
    std::vector<std::vector<std::string>> queued = std::move(tx.queued);
    tx.discard(c.db);
    std::vector<resp::Value> results;
    results.reserve(queued.size());
    for (auto& args : queued) run_queued(c, args, results);
    c.reply(resp::array(std::move(results)));
}

void watch(Call& c) {
    Transaction& tx = c.session.tx;
    if (tx.active) return c.error("ERR WATCH inside MULTI is not allowed");
    tx.db = &c.state.db;
    for (std::size_t i = 1; i < c.args.size(); ++i) {
        const std::string& key = c.args[i];
        if (std::any_of(tx.watched.begin(), tx.watched.end(), [&](const auto& w) { return w.key == key; })) continue;
        (void)c.db.find(key);  // a key already past its deadline goes now, not as a change later
        tx.watched.push_back({key, c.db.watch(key)});
    }
    c.ok();
}

void unwatch(Call& c) {
    c.session.tx.unwatch_all(c.db);
    c.ok();
}

}  // namespace mini_redis::cmd
