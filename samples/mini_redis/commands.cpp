// commands: each Redis command mini_redis knows, and the table that
// dispatches to them (see commands.hpp).
#include "commands.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <unordered_map>

namespace mini_redis {
namespace {

using namespace std::chrono_literals;

/// What a handler sees.
struct Call {
    State& state;
    Session& session;
    std::vector<std::string>& args;
    std::vector<resp::Value>& replies;
    const std::string& name;  ///< lower case

    void reply(resp::Value v) { replies.push_back(std::move(v)); }
};

const char* const kNotInteger = "ERR value is not an integer or out of range";
const char* const kSyntax = "ERR syntax error";
// Deadlines are steady_clock time points in nanoseconds: keep TTLs well
// inside their range (Redis's own limit is similar in spirit).
constexpr std::int64_t kMaxTtlMs = 100LL * 365 * 24 * 3600 * 1000;

std::string lower(std::string_view s) {
    std::string r(s);
    for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

bool equals_ci(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); });
}

bool parse_i64(std::string_view s, std::int64_t& out) {
    if (s.empty() || s.size() > 20) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

void ok(Call& c) { c.reply(resp::simple("OK")); }

void ping(Call& c) {
    if (c.args.size() > 2) {
        c.reply(resp::error("ERR wrong number of arguments for 'ping' command"));
    } else if (c.session.subscribed()) {
        // RESP2 subscribers get PING's answer in the shape of a push.
        c.reply(resp::array({resp::bulk("pong"), resp::bulk(c.args.size() == 2 ? c.args[1] : "")}));
    } else if (c.args.size() == 2) {
        c.reply(resp::bulk(c.args[1]));
    } else {
        c.reply(resp::simple("PONG"));
    }
}

void echo(Call& c) { c.reply(resp::bulk(std::move(c.args[1]))); }

void get(Call& c) {
    auto v = c.state.db.get(c.args[1]);
    c.reply(v ? resp::bulk(std::move(*v)) : resp::null());
}

void mget(Call& c) {
    std::vector<resp::Value> values;
    values.reserve(c.args.size() - 1);
    for (std::size_t i = 1; i < c.args.size(); ++i) {
        auto v = c.state.db.get(c.args[i]);
        values.push_back(v ? resp::bulk(std::move(*v)) : resp::null());
    }
    c.reply(resp::array(std::move(values)));
}

void set(Call& c) {
    Db::SetOptions opts;
    bool want_get = false, has_ttl = false, has_when = false;
    for (std::size_t i = 3; i < c.args.size(); ++i) {
        std::string opt = lower(c.args[i]);
        if ((opt == "ex" || opt == "px") && i + 1 < c.args.size() && !has_ttl && !opts.keep_ttl) {
            std::int64_t n = 0;
            if (!parse_i64(c.args[++i], n)) return c.reply(resp::error(kNotInteger));
            std::int64_t ms = opt == "ex" ? (n > kMaxTtlMs / 1000 ? kMaxTtlMs + 1 : n * 1000) : n;
            if (n <= 0 || ms > kMaxTtlMs) return c.reply(resp::error("ERR invalid expire time in 'set' command"));
            opts.ttl = std::chrono::milliseconds(ms);
            has_ttl = true;
        } else if ((opt == "nx" || opt == "xx") && !has_when) {
            opts.when = opt == "nx" ? Db::SetOptions::When::IfMissing : Db::SetOptions::When::IfExists;
            has_when = true;
        } else if (opt == "keepttl" && !has_ttl) {
            opts.keep_ttl = true;
        } else if (opt == "get") {
            want_get = true;
        } else {
            return c.reply(resp::error(kSyntax));
        }
    }
    auto r = c.state.db.set(c.args[1], std::move(c.args[2]), opts);
    if (want_get) {
        c.reply(r.previous ? resp::bulk(std::move(*r.previous)) : resp::null());
    } else if (r.written) {
        ok(c);
    } else {
        c.reply(resp::null());
    }
}

void del(Call& c) {
    std::int64_t n = 0;
    for (std::size_t i = 1; i < c.args.size(); ++i) n += c.state.db.del(c.args[i]);
    c.reply(resp::integer(n));
}

void exists(Call& c) {
    std::int64_t n = 0;  // a key named twice counts twice, as in Redis
    for (std::size_t i = 1; i < c.args.size(); ++i) n += c.state.db.exists(c.args[i]);
    c.reply(resp::integer(n));
}

void incr_by(Call& c, std::int64_t delta) {
    std::int64_t result = 0;
    switch (c.state.db.incr_by(c.args[1], delta, result)) {
        case Db::IncrError::None: return c.reply(resp::integer(result));
        case Db::IncrError::NotInteger: return c.reply(resp::error(kNotInteger));
        case Db::IncrError::Overflow: return c.reply(resp::error("ERR increment or decrement would overflow"));
    }
}

void incr(Call& c) { incr_by(c, c.name == "incr" ? 1 : -1); }

void incrby(Call& c) {
    std::int64_t delta = 0;
    if (!parse_i64(c.args[2], delta)) return c.reply(resp::error(kNotInteger));
    if (c.name == "decrby") {
        if (delta == INT64_MIN) return c.reply(resp::error("ERR decrement would overflow"));
        delta = -delta;
    }
    incr_by(c, delta);
}

void expire(Call& c) {
    std::int64_t n = 0;
    if (!parse_i64(c.args[2], n)) return c.reply(resp::error(kNotInteger));
    bool seconds = c.name == "expire";
    std::int64_t ms = n;
    if (seconds) ms = (n > kMaxTtlMs / 1000 || n < -kMaxTtlMs / 1000) ? kMaxTtlMs + 1 : n * 1000;
    if (ms > kMaxTtlMs || ms < -kMaxTtlMs)
        return c.reply(resp::error("ERR invalid expire time in '" + c.name + "' command"));
    c.reply(resp::integer(c.state.db.expire(c.args[1], std::chrono::milliseconds(ms)) ? 1 : 0));
}

void ttl(Call& c) {
    std::int64_t ms = c.state.db.pttl(c.args[1]);
    if (ms >= 0 && c.name == "ttl") ms = (ms + 500) / 1000;  // Redis rounds to the nearest second
    c.reply(resp::integer(ms));
}

void persist(Call& c) { c.reply(resp::integer(c.state.db.persist(c.args[1]) ? 1 : 0)); }

void dbsize(Call& c) { c.reply(resp::integer(static_cast<std::int64_t>(c.state.db.size()))); }

void flush(Call& c) {
    c.state.db.clear();
    ok(c);
}

void publish(Call& c) {
    c.reply(resp::integer(static_cast<std::int64_t>(c.state.pubsub.publish(c.args[1], std::move(c.args[2])))));
}

void push_reply(Call& c, std::string kind, const std::string* channel, std::size_t count) {
    c.reply(resp::array({resp::bulk(std::move(kind)), channel ? resp::bulk(*channel) : resp::null(),
                         resp::integer(static_cast<std::int64_t>(count))}));
}

void subscribe(Call& c) {
    auto& subs = c.session.subscriptions;
    for (std::size_t i = 1; i < c.args.size(); ++i) {
        const std::string& channel = c.args[i];
        if (!subs.count(channel))
            subs.emplace(channel, std::make_unique<Subscription>(c.state.pubsub.subscribe(channel)));
        push_reply(c, "subscribe", &channel, subs.size());
    }
}

void unsubscribe(Call& c) {
    auto& subs = c.session.subscriptions;
    std::vector<std::string> channels(c.args.begin() + 1, c.args.end());
    if (channels.empty()) {
        for (auto& [name, sub] : subs) channels.push_back(name);
        if (channels.empty()) return push_reply(c, "unsubscribe", nullptr, 0);
    }
    for (const auto& channel : channels) {
        if (subs.erase(channel)) c.state.pubsub.forget(channel);
        push_reply(c, "unsubscribe", &channel, subs.size());
    }
}

void command(Call& c) {
    // redis-cli asks for COMMAND DOCS to offer hints; without any it uses
    // its built-in help. An empty answer is enough.
    if (c.args.size() >= 2 && equals_ci(c.args[1], "count")) return c.reply(resp::integer(0));
    c.reply(resp::array({}));
}

void config(Call& c) {
    std::string sub = lower(c.args[1]);
    if (sub == "get") {
        // redis-benchmark reads these two to warn about persistence; we have none.
        static const std::pair<const char*, const char*> kKnown[] = {
            {"save", ""}, {"appendonly", "no"}, {"databases", "1"}, {"maxmemory", "0"}};
        std::vector<std::pair<std::string, std::string>> found;
        for (std::size_t i = 2; i < c.args.size(); ++i) {
            for (auto& [k, v] : kKnown) {
                if (equals_ci(c.args[i], k)) found.emplace_back(k, v);
            }
        }
        std::vector<resp::Value> pairs;
        for (auto& [k, v] : found) {
            pairs.push_back(resp::bulk(std::move(k)));
            pairs.push_back(resp::bulk(std::move(v)));
        }
        c.reply(resp::array(std::move(pairs)));
    } else if (sub == "resetstat" || sub == "set") {
        ok(c);
    } else {
        c.reply(resp::error("ERR unknown subcommand '" + c.args[1] + "'. Try CONFIG HELP."));
    }
}

void client(Call& c) {
    std::string sub = lower(c.args[1]);
    if (sub == "setname" && c.args.size() == 3) {
        const std::string& name = c.args[2];
        if (std::any_of(name.begin(), name.end(), [](char ch) { return ch <= ' ' || ch > '~'; }))
            return c.reply(resp::error("ERR Client names cannot contain spaces, newlines or special characters."));
        if (name.empty()) c.session.name.reset();
        else c.session.name = name;
        ok(c);
    } else if (sub == "getname") {
        c.reply(c.session.name ? resp::bulk(*c.session.name) : resp::null());
    } else if (sub == "id") {
        c.reply(resp::integer(static_cast<std::int64_t>(c.session.id)));
    } else if (sub == "info" || sub == "list") {
        c.reply(resp::bulk("id=" + std::to_string(c.session.id) + " name=" + c.session.name.value_or("") +
                           " sub=" + std::to_string(c.session.subscriptions.size()) + "\n"));
    } else if (sub == "setinfo" || sub == "reply" || sub == "no-evict") {
        ok(c);
    } else {
        c.reply(resp::error("ERR unknown subcommand '" + c.args[1] + "'. Try CLIENT HELP."));
    }
}

void select(Call& c) {
    if (c.args[1] == "0") ok(c);
    else c.reply(resp::error("ERR DB index is out of range"));
}

void info(Call& c) {
    c.reply(resp::bulk("# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\nexecutable:mini_redis\r\n"
                       "# Keyspace\r\ndb0:keys=" + std::to_string(c.state.db.size()) + "\r\n"));
}

void quit(Call& c) {
    c.session.quit = true;
    ok(c);
}

struct Spec {
    int arity;  ///< Redis's convention: n exactly, or -n for at least n (the name included)
    void (*run)(Call&);
    bool in_subscribed_mode = false;
};

const std::unordered_map<std::string, Spec>& table() {
    static const std::unordered_map<std::string, Spec> t = {
        {"ping", {-1, ping, true}},
        {"echo", {2, echo}},
        {"get", {2, get}},
        {"mget", {-2, mget}},
        {"set", {-3, set}},
        {"del", {-2, del}},
        {"exists", {-2, exists}},
        {"incr", {2, incr}},
        {"decr", {2, incr}},
        {"incrby", {3, incrby}},
        {"decrby", {3, incrby}},
        {"expire", {3, expire}},
        {"pexpire", {3, expire}},
        {"ttl", {2, ttl}},
        {"pttl", {2, ttl}},
        {"persist", {2, persist}},
        {"dbsize", {1, dbsize}},
        {"flushdb", {-1, flush}},
        {"flushall", {-1, flush}},
        {"publish", {3, publish}},
        {"subscribe", {-2, subscribe, true}},
        {"unsubscribe", {-1, unsubscribe, true}},
        {"command", {-1, command}},
        {"config", {-2, config}},
        {"client", {-2, client}},
        {"select", {2, select}},
        {"info", {-1, info}},
        {"quit", {-1, quit, true}},
    };
    return t;
}

void unknown(const std::vector<std::string>& args, std::vector<resp::Value>& replies) {
    // Redis 7's wording, names and arguments cut at 128 bytes.
    std::string msg = "ERR unknown command '" + args[0].substr(0, 128) + "', with args beginning with: ";
    for (std::size_t i = 1; i < args.size() && msg.size() < 1024; ++i) msg += "'" + args[i].substr(0, 128) + "' ";
    replies.push_back(resp::error(std::move(msg)));
}

}  // namespace

void execute(State& state, Session& session, std::vector<std::string>& args, std::vector<resp::Value>& replies) {
    std::string name = lower(args[0]);
    auto it = table().find(name);
    if (it == table().end()) return unknown(args, replies);
    const Spec& spec = it->second;
    int n = static_cast<int>(std::min<std::size_t>(args.size(), 1 << 30));
    if ((spec.arity > 0 && n != spec.arity) || (spec.arity < 0 && n < -spec.arity))
        return replies.push_back(resp::error("ERR wrong number of arguments for '" + name + "' command"));
    if (session.subscribed() && !spec.in_subscribed_mode)
        return replies.push_back(resp::error("ERR Can't execute '" + name +
                                             "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                                             "allowed in this context"));
    Call call{state, session, args, replies, name};
    spec.run(call);
}

}  // namespace mini_redis
