// Keyspace commands (Redis's db.c and expire.c): DEL, EXISTS, TYPE, KEYS,
// SCAN, RENAME, the EXPIRE family and TTLs, DBSIZE, FLUSHDB.
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "command_call.hpp"
#include "glob.hpp"

namespace mini_redis::cmd {

void del(Call& c) {
    std::int64_t n = 0;
    for (std::size_t i = 1; i < c.args.size(); ++i) n += c.db.remove(c.args[i]);
    c.integer(n);
}

void exists(Call& c) {
    std::int64_t n = 0;  // a key named twice counts twice, as in Redis
    for (std::size_t i = 1; i < c.args.size(); ++i) n += c.db.find(c.args[i]) != c.db.end();
    c.integer(n);
}

void type(Call& c) {
    auto it = c.db.find(c.args[1]);
    c.reply(resp::simple(it == c.db.end() ? "none" : type_name(it->second.type())));
}

namespace {

bool live(Keyspace& db, const Entry& e) { return e.expires_at == Entry::kNoExpiry || e.expires_at > db.now(); }

}  // namespace

void keys(Call& c) {
    const std::string& pattern = c.args[1];
    bool all = pattern == "*";
    std::vector<resp::Value> out;
    for (const auto& [key, entry] : c.db.entries()) {
        if ((all || glob_match(pattern, key)) && live(c.db, entry)) out.push_back(resp::bulk(key));
    }
    c.reply(resp::array(std::move(out)));
}

namespace {

/// Redis's parseScanCursorOrReply: strtoul's syntax, no leading space.
bool parse_cursor(const std::string& s, std::uint64_t& out) {
    if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) return false;
    errno = 0;
    char* end = nullptr;
    out = std::strtoull(s.c_str(), &end, 10);
    return *end == '\0' && end == s.c_str() + s.size() && errno != ERANGE;
}

}  // namespace

void scan(Call& c) {
    std::uint64_t cursor = 0;
    if (!parse_cursor(c.args[1], cursor)) return c.error("ERR invalid cursor");
    long long count = 10;
    const std::string* pattern = nullptr;
    const std::string* type = nullptr;
    for (std::size_t i = 2; i < c.args.size(); i += 2) {
        bool has_value = i + 1 < c.args.size();
        if (equals_ci(c.args[i], "count") && has_value) {
            if (!c.arg_ll(i + 1, count)) return;
            if (count < 1) return c.syntax_error();
        } else if (equals_ci(c.args[i], "match") && has_value) {
            pattern = c.args[i + 1] == "*" ? nullptr : &c.args[i + 1];
        } else if (equals_ci(c.args[i], "type") && has_value) {
            type = &c.args[i + 1];
        } else {
            return c.syntax_error();
        }
    }
    std::vector<resp::Value> found;
    std::uint64_t next = c.db.scan(cursor, static_cast<std::size_t>(count), [&](const std::string& key, const Entry& e) {
        if (pattern && !glob_match(*pattern, key)) return;
        if (type && !equals_ci(*type, type_name(e.type()))) return;
        found.push_back(resp::bulk(key));
    });
    c.reply(resp::array({resp::bulk(std::to_string(next)), resp::array(std::move(found))}));
}

void rename(Call& c) {
    bool nx = c.name == "renamenx";
    const std::string& from = c.args[1];
    const std::string& to = c.args[2];
    auto src = c.db.find(from);
    if (src == c.db.end()) return c.error("ERR no such key");
    if (from == to) return nx ? c.integer(0) : c.ok();
    if (c.db.find(to) != c.db.end()) {
        if (nx) return c.integer(0);
        c.db.remove(to);
        src = c.db.find(from);  // the removal may have invalidated it
    }
    Entry::Value value = std::move(src->second.value);
    std::int64_t expires_at = src->second.expires_at;
    c.db.erase(src);
    auto dst = c.db.insert(to, std::move(value));
    if (expires_at != Entry::kNoExpiry) c.db.set_expiry(dst, expires_at);
    c.db.touch(from);
    c.db.touch(to);
    nx ? c.integer(1) : c.ok();
}

/// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (Redis's expireGenericCommand).
void expire(Call& c) {
    bool nx = false, xx = false, gt = false, lt = false;
    for (std::size_t j = 3; j < c.args.size(); ++j) {
        std::string opt = lower(c.args[j]);
        if (opt == "nx") nx = true;
        else if (opt == "xx") xx = true;
        else if (opt == "gt") gt = true;
        else if (opt == "lt") lt = true;
        else return c.error("ERR Unsupported option " + c.args[j]);
    }
    if (nx && (xx || gt || lt)) return c.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    if (gt && lt) return c.error("ERR GT and LT options at the same time are not compatible");

    long long when = 0;
    if (!c.arg_ll(2, when)) return;
    bool seconds = c.name == "expire" || c.name == "expireat";
    long long base = (c.name == "expire" || c.name == "pexpire") ? c.db.now() : 0;
    if (seconds) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000)
            return c.error("ERR invalid expire time in '" + c.name + "' command");
        when *= 1000;
    }
    if (when > LLONG_MAX - base) return c.error("ERR invalid expire time in '" + c.name + "' command");
    when += base;

    const std::string& key = c.args[1];
    auto it = c.db.find(key);
    if (it == c.db.end()) return c.integer(0);
    std::int64_t current = it->second.expires_at;  // kNoExpiry (-1): forever
    if (nx && current != Entry::kNoExpiry) return c.integer(0);
    if (xx && current == Entry::kNoExpiry) return c.integer(0);
    if (gt && (current == Entry::kNoExpiry || when <= current)) return c.integer(0);
    if (lt && current != Entry::kNoExpiry && when >= current) return c.integer(0);
    if (when <= c.db.now()) {
        c.db.erase(it);
    } else {
        c.db.set_expiry(it, when);
    }
    c.db.touch(key);
    c.integer(1);
}

/// TTL, PTTL, EXPIRETIME, PEXPIRETIME (Redis's ttlGenericCommand).
void ttl(Call& c) {
    bool ms = c.name[0] == 'p';
    bool absolute = c.name.find("time") != std::string::npos;
    auto it = c.db.find(c.args[1]);
    if (it == c.db.end()) return c.integer(-2);
    std::int64_t at = it->second.expires_at;
    if (at == Entry::kNoExpiry) return c.integer(-1);
    std::int64_t t = absolute ? at : at - c.db.now();
    if (t < 0) t = 0;
    c.integer(ms ? t : (t + 500) / 1000);
}

void persist(Call& c) {
    auto it = c.db.find(c.args[1]);
    if (it == c.db.end() || it->second.expires_at == Entry::kNoExpiry) return c.integer(0);
    c.db.set_expiry(it, Entry::kNoExpiry);
    c.db.touch(c.args[1]);
    c.integer(1);
}

void dbsize(Call& c) { c.integer(static_cast<std::int64_t>(c.db.size())); }

void flush(Call& c) {
    if (c.args.size() > 2 || (c.args.size() == 2 && !equals_ci(c.args[1], "sync") && !equals_ci(c.args[1], "async")))
        return c.syntax_error();
    c.db.clear();
    c.ok();
}

}  // namespace mini_redis::cmd
