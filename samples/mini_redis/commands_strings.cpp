// String commands (Redis's t_string.c): GET, SET and its variants, the
// counters, APPEND and the ranges. Order of checks and error texts follow
// Redis 7.0, so that a bad request gets the same error from both.
#include <climits>

#include "command_call.hpp"

namespace mini_redis::cmd {

namespace {

/// Redis's setKey: the value replaces whatever `key` held; its TTL goes
/// unless `keep_ttl`.
void set_key(Call& c, const std::string& key, std::string value, bool keep_ttl = false) {
    auto it = c.db.find(key);
    if (it == c.db.end()) {
        c.db.insert(key, std::move(value));
    } else {
        it->second.value = std::move(value);
        if (!keep_ttl && it->second.expires_at != Entry::kNoExpiry) c.db.set_expiry(it, Entry::kNoExpiry);
    }
    c.db.touch(key);
}

void expire_time_error(Call& c) { c.error("ERR invalid expire time in '" + c.name + "' command"); }

/// Redis's getExpireMillisecondsOrReply: the absolute deadline in ms of an
/// EX/PX (relative) or EXAT/PXAT (absolute) argument.
bool expire_arg(Call& c, std::size_t i, bool seconds, bool relative, std::int64_t& at) {
    long long n = 0;
    if (!c.arg_ll(i, n)) return false;
    if (n <= 0 || (seconds && n > LLONG_MAX / 1000)) {
        expire_time_error(c);
        return false;
    }
    if (seconds) n *= 1000;
    if (relative && __builtin_add_overflow(n, c.db.now(), &n)) n = -1;
    if (n <= 0) {
        expire_time_error(c);
        return false;
    }
    at = n;
    return true;
}

/// SET's and GETEX's options (Redis's parseExtendedStringArgumentsOrReply).
struct StringOptions {
    bool nx = false, xx = false, get = false, keep_ttl = false, persist = false;
    std::size_t expire_arg = 0;  ///< index of the EX/PX/EXAT/PXAT value, 0 if none
    bool seconds = true, relative = true;
};

bool parse_string_options(Call& c, std::size_t first, bool for_set, StringOptions& o) {
    for (std::size_t j = first; j < c.args.size(); ++j) {
        std::string opt = lower(c.args[j]);
        bool has_next = j + 1 < c.args.size();
        bool has_expire = o.expire_arg != 0;
        if (opt == "nx" && !o.xx && for_set) {
            o.nx = true;
        } else if (opt == "xx" && !o.nx && for_set) {
            o.xx = true;
        } else if (opt == "get" && for_set) {
            o.get = true;
        } else if (opt == "keepttl" && !o.persist && !has_expire && for_set) {
            o.keep_ttl = true;
        } else if (opt == "persist" && !for_set && !has_expire && !o.keep_ttl) {
            o.persist = true;
        } else if ((opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") && !o.keep_ttl && !o.persist &&
                   !has_expire && has_next) {
            o.expire_arg = ++j;
            o.seconds = opt == "ex" || opt == "exat";
            o.relative = opt == "ex" || opt == "px";
        } else if ((opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") && has_expire && has_next &&
                   opt == lower(c.args[o.expire_arg - 1])) {
            o.expire_arg = ++j;  // the same option twice: Redis takes the last
        } else {
            c.syntax_error();
            return false;
        }
    }
    return true;
}

/// Redis's getGenericCommand: replies the value (or nil); false on WRONGTYPE.
bool reply_get(Call& c, std::size_t key_arg = 1) {
    bool wrong = false;
    std::string* v = c.lookup<std::string>(key_arg, wrong);
    if (wrong) return false;
    c.reply(v ? resp::bulk(*v) : resp::null());
    return true;
}

}  // namespace

void get(Call& c) {
    auto it = c.db.find(c.args[1]);
    if (it == c.db.end()) return c.null();
    std::string* v = get_as<std::string>(it->second);
    if (!v) return c.wrong_type();
    c.reply(resp::bulk(*v));
}

namespace {

/// SET, SETNX, SETEX, PSETEX (Redis's setGenericCommand).
void set_generic(Call& c, const StringOptions& o, std::size_t value_arg, bool reply_int) {
    std::int64_t at = Entry::kNoExpiry;
    if (o.expire_arg && !expire_arg(c, o.expire_arg, o.seconds, o.relative, at)) return;
    if (o.get && !reply_get(c)) return;
    const std::string& key = c.args[1];
    auto it = c.db.find(key);
    bool found = it != c.db.end();
    if ((o.nx && found) || (o.xx && !found)) {
        if (!o.get) reply_int ? c.integer(0) : c.null();
        return;
    }
    if (found) {
        it->second.value = std::move(c.args[value_arg]);
        if (at != Entry::kNoExpiry || !o.keep_ttl) c.db.set_expiry(it, at);
    } else {
        it = c.db.insert(key, std::move(c.args[value_arg]));
        if (at != Entry::kNoExpiry) c.db.set_expiry(it, at);
    }
    c.db.touch(key);
    if (!o.get) reply_int ? c.integer(1) : c.ok();
}

}  // namespace

void set(Call& c) {
    StringOptions o;
    if (!parse_string_options(c, 3, true, o)) return;
    set_generic(c, o, 2, false);
}

void setnx(Call& c) {
    StringOptions o;
    o.nx = true;
    set_generic(c, o, 2, true);
}

void setex(Call& c) {
    StringOptions o;
    o.expire_arg = 2;
    o.seconds = c.name == "setex";
    set_generic(c, o, 3, false);
}

void getset(Call& c) {
    if (!reply_get(c)) return;
    set_key(c, c.args[1], std::move(c.args[2]));
}

void getdel(Call& c) {
    if (!reply_get(c)) return;
    c.db.remove(c.args[1]);
}

void getex(Call& c) {
    StringOptions o;
    if (!parse_string_options(c, 2, false, o)) return;
    auto it = c.db.find(c.args[1]);
    if (it == c.db.end()) return c.null();
    std::string* v = get_as<std::string>(it->second);
    if (!v) return c.wrong_type();
    std::int64_t at = Entry::kNoExpiry;
    if (o.expire_arg && !expire_arg(c, o.expire_arg, o.seconds, o.relative, at)) return;
    c.reply(resp::bulk(*v));
    const std::string& key = c.args[1];
    if (o.expire_arg && !o.relative && at <= c.db.now()) {
        c.db.erase(it);
        c.db.touch(key);
    } else if (o.expire_arg) {
        c.db.set_expiry(it, at);
        c.db.touch(key);
    } else if (o.persist && it->second.expires_at != Entry::kNoExpiry) {
        c.db.set_expiry(it, Entry::kNoExpiry);
        c.db.touch(key);
    }
}

void mget(Call& c) {
    std::vector<resp::Value> values;
    values.reserve(c.args.size() - 1);
    for (std::size_t i = 1; i < c.args.size(); ++i) {
        auto it = c.db.find(c.args[i]);
        std::string* v = it == c.db.end() ? nullptr : get_as<std::string>(it->second);
        values.push_back(v ? resp::bulk(*v) : resp::null());
    }
    c.reply(resp::array(std::move(values)));
}

void mset(Call& c) {
    if (c.args.size() % 2 == 0) return c.arity_error();
    bool nx = c.name == "msetnx";
    if (nx) {
        for (std::size_t i = 1; i < c.args.size(); i += 2) {
            if (c.db.find(c.args[i]) != c.db.end()) return c.integer(0);
        }
    }
    for (std::size_t i = 1; i < c.args.size(); i += 2) set_key(c, c.args[i], std::move(c.args[i + 1]));
    nx ? c.integer(1) : c.ok();
}

namespace {

/// Redis's checkStringLength: a string may not grow past proto-max-bulk-len.
bool check_length(Call& c, std::size_t size, std::size_t append) {
    if (size + append <= c.state.limits.max_bulk) return true;
    c.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    return false;
}

}  // namespace

void append(Call& c) {
    const std::string& key = c.args[1];
    auto it = c.db.find(key);
    std::size_t len = 0;
    if (it == c.db.end()) {
        len = c.args[2].size();
        c.db.insert(key, std::move(c.args[2]));
    } else {
        std::string* v = get_as<std::string>(it->second);
        if (!v) return c.wrong_type();
        if (!check_length(c, v->size(), c.args[2].size())) return;
        v->append(c.args[2]);
        len = v->size();
    }
    c.db.touch(key);
    c.integer(static_cast<std::int64_t>(len));
}

void strlen(Call& c) {
    bool wrong = false;
    std::string* v = c.lookup<std::string>(1, wrong);
    if (!wrong) c.integer(v ? static_cast<std::int64_t>(v->size()) : 0);
}

void getrange(Call& c) {
    long long start = 0, end = 0;
    if (!c.arg_ll(2, start) || !c.arg_ll(3, end)) return;
    auto it = c.db.find(c.args[1]);
    if (it == c.db.end()) return c.reply(resp::bulk(""));
    std::string* v = get_as<std::string>(it->second);
    if (!v) return c.wrong_type();
    auto len = static_cast<long long>(v->size());
    if (start < 0 && end < 0 && start > end) return c.reply(resp::bulk(""));
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= len) end = len - 1;
    if (start > end || len == 0) return c.reply(resp::bulk(""));
    c.reply(resp::bulk(v->substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start + 1))));
}

void setrange(Call& c) {
    long long offset = 0;
    if (!c.arg_ll(2, offset)) return;
    if (offset < 0) return c.error("ERR offset is out of range");
    const std::string& key = c.args[1];
    const std::string& value = c.args[3];
    auto it = c.db.find(key);
    std::string* v = nullptr;
    if (it == c.db.end()) {
        if (value.empty()) return c.integer(0);
        if (!check_length(c, static_cast<std::size_t>(offset), value.size())) return;
        it = c.db.insert(key, std::string());
        v = get_as<std::string>(it->second);
    } else {
        v = get_as<std::string>(it->second);
        if (!v) return c.wrong_type();
        if (value.empty()) return c.integer(static_cast<std::int64_t>(v->size()));
        if (!check_length(c, static_cast<std::size_t>(offset), value.size())) return;
    }
    auto off = static_cast<std::size_t>(offset);
    if (v->size() < off + value.size()) v->resize(off + value.size(), '\0');
    v->replace(off, value.size(), value);
    c.db.touch(key);
    c.integer(static_cast<std::int64_t>(v->size()));
}

namespace {

/// Redis's incrDecrCommand: the stored value must be a canonical integer.
void incr_by(Call& c, long long delta) {
    const std::string& key = c.args[1];
    auto it = c.db.find(key);
    long long value = 0;
    std::string* v = nullptr;
    if (it != c.db.end()) {
        v = get_as<std::string>(it->second);
        if (!v) return c.wrong_type();
        if (!num::parse_ll(*v, value)) return c.error(kNotInteger);
    }
    if ((delta < 0 && value < 0 && delta < LLONG_MIN - value) || (delta > 0 && value > 0 && delta > LLONG_MAX - value))
        return c.error("ERR increment or decrement would overflow");
    value += delta;
    if (v) *v = std::to_string(value);  // the TTL stays
    else c.db.insert(key, std::to_string(value));
    c.db.touch(key);
    c.integer(value);
}

}  // namespace

void incr(Call& c) { incr_by(c, c.name == "incr" ? 1 : -1); }

void incrby(Call& c) {
    long long delta = 0;
    if (!c.arg_ll(2, delta)) return;
    if (c.name == "decrby") {
        if (delta == LLONG_MIN) return c.error("ERR decrement would overflow");
        delta = -delta;
    }
    incr_by(c, delta);
}

void incrbyfloat(Call& c) {
    const std::string& key = c.args[1];
    auto it = c.db.find(key);
    long double value = 0, incr = 0;
    std::string* v = nullptr;
    if (it != c.db.end()) {
        v = get_as<std::string>(it->second);
        if (!v) return c.wrong_type();
        if (!num::parse_long_double(*v, value)) return c.error(kNotFloat);
    }
    if (!num::parse_long_double(c.args[2], incr)) return c.error(kNotFloat);
    value += incr;
    if (std::isnan(value) || std::isinf(value)) return c.error("ERR increment would produce NaN or Infinity");
    std::string out = num::format_long_double(value);
    if (v) *v = out;
    else c.db.insert(key, out);
    c.db.touch(key);
    c.reply(resp::bulk(std::move(out)));
}

}  // namespace mini_redis::cmd
