// Db: the keyspace, its expiry and its WATCH versions (see db.hpp; the
// blocked clients are in blocking.cpp).
#include "db.hpp"

#include <chrono>

namespace mini_redis {

const char* type_name(Type t) {
    switch (t) {
        case Type::String: return "string";
        case Type::List: return "list";
        case Type::Hash: return "hash";
        case Type::Set: return "set";
        case Type::ZSet: return "zset";
    }
    return "none";
}

std::int64_t unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Keyspace::Keyspace() : rng_(std::random_device{}()) {}

std::int64_t Keyspace::now() {
    if (now_ < 0) now_ = unix_ms();
    return now_;
}

Keyspace::iterator Keyspace::find(const std::string& key) {
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.expires_at != Entry::kNoExpiry && it->second.expires_at <= now()) {
        erase(it);
        touch(key);
        return entries_.end();
    }
    return it;
}

Keyspace::iterator Keyspace::insert(const std::string& key, Entry::Value value) {
    auto it = entries_.emplace(key, Entry{std::move(value), Entry::kNoExpiry}).first;
    if (it->second.type() == Type::List && blocking_.count(key) && ready_set_.insert(key).second) ready_.push_back(key);
    return it;
}

void Keyspace::forget_deadline(const iterator& it) {
    if (it->second.expires_at != Entry::kNoExpiry) deadlines_.erase({it->second.expires_at, it->first});
}

void Keyspace::erase(iterator it) {
    forget_deadline(it);
    entries_.erase(it);
}

bool Keyspace::remove(const std::string& key) {
    auto it = find(key);
    if (it == entries_.end()) return false;
    erase(it);
    touch(key);
    return true;
}

void Keyspace::set_expiry(iterator it, std::int64_t at_ms) {
    forget_deadline(it);
    it->second.expires_at = at_ms;
    if (at_ms != Entry::kNoExpiry) deadlines_.emplace(at_ms, it->first);
}

void Keyspace::clear() {
    for (auto& [key, w] : watched_) {
        if (entries_.count(key)) ++w.version;
    }
    entries_.clear();
    deadlines_.clear();
}

std::size_t Keyspace::purge_expired(std::int64_t now_ms, std::size_t max) {
    std::size_t purged = 0;
    while (purged < max && !deadlines_.empty() && deadlines_.begin()->first <= now_ms) {
        auto node = deadlines_.extract(deadlines_.begin());
        const std::string& key = node.value().second;
        auto it = entries_.find(key);
        if (it != entries_.end()) {
            it->second.expires_at = Entry::kNoExpiry;  // its deadline entry is already gone
            entries_.erase(it);
            touch(key);
        }
        ++purged;
    }
    return purged;
}

std::uint64_t Keyspace::watch(const std::string& key) {
    Watch& w = watched_[key];
    ++w.watchers;
    return w.version;
}

void Keyspace::unwatch(const std::string& key) {
    auto it = watched_.find(key);
    if (it != watched_.end() && --it->second.watchers == 0) watched_.erase(it);
}

std::uint64_t Keyspace::version(const std::string& key) const {
    auto it = watched_.find(key);
    return it == watched_.end() ? 0 : it->second.version;
}

void Keyspace::bump(const std::string& key) {
    auto it = watched_.find(key);
    if (it != watched_.end()) ++it->second.version;
}

std::size_t Db::purge_expired(Clock::time_point now, std::size_t max) {
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::lock_guard lock(mu_);
    return ks_.purge_expired(now_ms, max);
}

}  // namespace mini_redis
