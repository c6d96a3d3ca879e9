// Db: the keyspace with lazy and active expiry (see db.hpp).
#include "db.hpp"

#include <charconv>
#include <limits>

namespace mini_redis {

Db::Map::iterator Db::find_live(const std::string& key, Clock::time_point now) {
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.expires_at && *it->second.expires_at <= now) {
        erase(it);
        return entries_.end();
    }
    return it;
}

void Db::erase(Map::iterator it) {
    if (it->second.expires_at) deadlines_.erase({*it->second.expires_at, it->first});
    entries_.erase(it);
}

void Db::set_deadline(Map::iterator it, std::optional<Clock::time_point> at) {
    if (it->second.expires_at) deadlines_.erase({*it->second.expires_at, it->first});
    it->second.expires_at = at;
    if (at) deadlines_.emplace(*at, it->first);
}

std::optional<std::string> Db::get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = find_live(key, Clock::now());
    if (it == entries_.end()) return std::nullopt;
    return it->second.value;
}

Db::SetOutcome Db::set(const std::string& key, std::string value, const SetOptions& opts) {
    auto now = Clock::now();
    std::lock_guard lock(mu_);
    SetOutcome out;
    auto it = find_live(key, now);
    bool present = it != entries_.end();
    if (present) out.previous = it->second.value;
    if ((opts.when == SetOptions::When::IfMissing && present) || (opts.when == SetOptions::When::IfExists && !present))
        return out;
    if (!present) it = entries_.emplace(key, Entry{}).first;
    it->second.value = std::move(value);
    if (opts.ttl) set_deadline(it, now + *opts.ttl);
    else if (!opts.keep_ttl) set_deadline(it, std::nullopt);
    out.written = true;
    return out;
}

bool Db::del(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = find_live(key, Clock::now());
    if (it == entries_.end()) return false;
    erase(it);
    return true;
}

bool Db::exists(const std::string& key) {
    std::lock_guard lock(mu_);
    return find_live(key, Clock::now()) != entries_.end();
}

Db::IncrError Db::incr_by(const std::string& key, std::int64_t delta, std::int64_t& result) {
    std::lock_guard lock(mu_);
    auto it = find_live(key, Clock::now());
    std::int64_t current = 0;
    if (it != entries_.end()) {
        // Redis accepts exactly the canonical decimal form: no spaces, no '+'.
        const std::string& v = it->second.value;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), current);
        if (v.empty() || v.size() > 20 || ec != std::errc() || p != v.data() + v.size()) return IncrError::NotInteger;
    }
    if ((delta > 0 && current > std::numeric_limits<std::int64_t>::max() - delta) ||
        (delta < 0 && current < std::numeric_limits<std::int64_t>::min() - delta))
        return IncrError::Overflow;
    result = current + delta;
    if (it == entries_.end()) it = entries_.emplace(key, Entry{}).first;
    it->second.value = std::to_string(result);
    return IncrError::None;
}

bool Db::expire(const std::string& key, Clock::duration ttl) {
    auto now = Clock::now();
    std::lock_guard lock(mu_);
    auto it = find_live(key, now);
    if (it == entries_.end()) return false;
    if (ttl <= Clock::duration::zero()) erase(it);
    else set_deadline(it, now + ttl);
    return true;
}

bool Db::persist(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = find_live(key, Clock::now());
    if (it == entries_.end() || !it->second.expires_at) return false;
    set_deadline(it, std::nullopt);
    return true;
}

std::int64_t Db::pttl(const std::string& key) {
    auto now = Clock::now();
    std::lock_guard lock(mu_);
    auto it = find_live(key, now);
    if (it == entries_.end()) return -2;
    if (!it->second.expires_at) return -1;
    return std::chrono::duration_cast<std::chrono::milliseconds>(*it->second.expires_at - now).count();
}

std::size_t Db::size() {
    std::lock_guard lock(mu_);
    return entries_.size();
}

void Db::clear() {
    std::lock_guard lock(mu_);
    entries_.clear();
    deadlines_.clear();
}

std::size_t Db::purge_expired(Clock::time_point now, std::size_t max) {
    std::lock_guard lock(mu_);
    std::size_t purged = 0;
    while (purged < max && !deadlines_.empty() && deadlines_.begin()->first <= now) {
        auto key = deadlines_.begin()->second;
        deadlines_.erase(deadlines_.begin());
        auto it = entries_.find(key);
        if (it != entries_.end()) {
            it->second.expires_at.reset();  // its deadline entry is already gone
            entries_.erase(it);
        }
        ++purged;
    }
    return purged;
}

}  // namespace mini_redis
