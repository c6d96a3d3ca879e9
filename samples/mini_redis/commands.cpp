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
    std::string& out;
    const std::string& name;  ///< lower case
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

void ok(std::string& out) { resp::append_simple(out, "OK"); }

void ping(Call& c) {
    if (c.args.size() > 2) {
        resp::append_error(c.out, "ERR wrong number of arguments for 'ping' command");
    } else if (c.session.subscribed()) {
        // RESP2 subscribers get PING's answer in the shape of a push.
        resp::append_array_header(c.out, 2);
        resp::append_bulk(c.out, "pong");
        resp::append_bulk(c.out, c.args.size() == 2 ? c.args[1] : "");
    } else if (c.args.size() == 2) {
        resp::append_bulk(c.out, c.args[1]);
    } else {
        resp::append_simple(c.out, "PONG");
    }
}

void echo(Call& c) { resp::append_bulk(c.out, c.args[1]); }

void get(Call& c) {
    auto v = c.state.db.get(c.args[1]);
    if (v) resp::append_bulk(c.out, *v);
    else resp::append_null(c.out);
}

void mget(Call& c) {
    resp::append_array_header(c.out, c.args.size() - 1);
    for (std::size_t i = 1; i < c.args.size(); ++i) {
        auto v = c.state.db.get(c.args[i]);
        if (v) resp::append_bulk(c.out, *v);
        else resp::append_null(c.out);
    }
}

void set(Call& c) {
    Db::SetOptions opts;
    bool want_get = false, has_ttl = false, has_when = false;
    for (std::size_t i = 3; i < c.args.size(); ++i) {
        std::string opt = lower(c.args[i]);
        if ((opt == "ex" || opt == "px") && i + 1 < c.args.size() && !has_ttl && !opts.keep_ttl) {
            std::int64_t n = 0;
            if (!parse_i64(c.args[++i], n)) return resp::append_error(c.out, kNotInteger);
            std::int64_t ms = opt == "ex" ? (n > kMaxTtlMs / 1000 ? kMaxTtlMs + 1 : n * 1000) : n;
            if (n <= 0 || ms > kMaxTtlMs) return resp::append_error(c.out, "ERR invalid expire time in 'set' command");
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
            return resp::append_error(c.out, kSyntax);
        }
    }
    auto r = c.state.db.set(c.args[1], std::move(c.args[2]), opts);
    if (want_get) {
        if (r.previous) resp::append_bulk(c.out, *r.previous);
        else resp::append_null(c.out);
    } else if (r.written) {
        ok(c.out);
    } else {
        resp::append_null(c.out);
    }
}

void del(Call& c) {
    std::int64_t n = 0;
    for (std::size_t i = 1; i < c.args.size(); ++i) n += c.state.db.del(c.args[i]);
    resp::append_integer(c.out, n);
}

void exists(Call& c) {
    std::int64_t n = 0;  // a key named twice counts twice, as in Redis
    for (std::size_t i = 1; i < c.args.size(); ++i) n += c.state.db.exists(c.args[i]);
    resp::append_integer(c.out, n);
}

void incr_by(Call& c, std::int64_t delta) {
    std::int64_t result = 0;
    switch (c.state.db.incr_by(c.args[1], delta, result)) {
        case Db::IncrError::None: return resp::append_integer(c.out, result);
        case Db::IncrError::NotInteger: return resp::append_error(c.out, kNotInteger);
        case Db::IncrError::Overflow: return resp::append_error(c.out, "ERR increment or decrement would overflow");
    }
}

void incr(Call& c) { incr_by(c, c.name == "incr" ? 1 : -1); }

void incrby(Call& c) {
    std::int64_t delta = 0;
    if (!parse_i64(c.args[2], delta)) return resp::append_error(c.out, kNotInteger);
    if (c.name == "decrby") {
        if (delta == INT64_MIN) return resp::append_error(c.out, "ERR decrement would overflow");
        delta = -delta;
    }
    incr_by(c, delta);
}

void expire(Call& c) {
    std::int64_t n = 0;
    if (!parse_i64(c.args[2], n)) return resp::append_error(c.out, kNotInteger);
    bool seconds = c.name == "expire";
    std::int64_t ms = n;
    if (seconds) ms = (n > kMaxTtlMs / 1000 || n < -kMaxTtlMs / 1000) ? kMaxTtlMs + 1 : n * 1000;
    if (ms > kMaxTtlMs || ms < -kMaxTtlMs)
        return resp::append_error(c.out, "ERR invalid expire time in '" + c.name + "' command");
    resp::append_integer(c.out, c.state.db.expire(c.args[1], std::chrono::milliseconds(ms)) ? 1 : 0);
}

void ttl(Call& c) {
    std::int64_t ms = c.state.db.pttl(c.args[1]);
    if (ms >= 0 && c.name == "ttl") ms = (ms + 500) / 1000;  // Redis rounds to the nearest second
    resp::append_integer(c.out, ms);
}

void persist(Call& c) { resp::append_integer(c.out, c.state.db.persist(c.args[1]) ? 1 : 0); }

void dbsize(Call& c) { resp::append_integer(c.out, static_cast<std::int64_t>(c.state.db.size())); }

void flush(Call& c) {
    c.state.db.clear();
    ok(c.out);
}

void publish(Call& c) {
    resp::append_integer(c.out, static_cast<std::int64_t>(c.state.pubsub.publish(c.args[1], std::move(c.args[2]))));
}

void push_reply(std::string& out, std::string_view kind, const std::string* channel, std::size_t count) {
    resp::append_array_header(out, 3);
    resp::append_bulk(out, kind);
    if (channel) resp::append_bulk(out, *channel);
    else resp::append_null(out);
    resp::append_integer(out, static_cast<std::int64_t>(count));
}

void subscribe(Call& c) {
    auto& subs = c.session.subscriptions;
    for (std::size_t i = 1; i < c.args.size(); ++i) {
        const std::string& channel = c.args[i];
        if (!subs.count(channel))
            subs.emplace(channel, std::make_unique<Subscription>(c.state.pubsub.subscribe(channel)));
        push_reply(c.out, "subscribe", &channel, subs.size());
    }
}

void unsubscribe(Call& c) {
    auto& subs = c.session.subscriptions;
    std::vector<std::string> channels(c.args.begin() + 1, c.args.end());
    if (channels.empty()) {
        for (auto& [name, sub] : subs) channels.push_back(name);
        if (channels.empty()) return push_reply(c.out, "unsubscribe", nullptr, 0);
    }
    for (const auto& channel : channels) {
        if (subs.erase(channel)) c.state.pubsub.forget(channel);
        push_reply(c.out, "unsubscribe", &channel, subs.size());
    }
}

void command(Call& c) {
    // redis-cli asks for COMMAND DOCS to offer hints; without any it uses
    // its built-in help. An empty answer is enough.
    if (c.args.size() >= 2 && equals_ci(c.args[1], "count")) return resp::append_integer(c.out, 0);
    resp::append_array_header(c.out, 0);
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
        resp::append_array_header(c.out, found.size() * 2);
        for (auto& [k, v] : found) {
            resp::append_bulk(c.out, k);
            resp::append_bulk(c.out, v);
        }
    } else if (sub == "resetstat" || sub == "set") {
        ok(c.out);
    } else {
        resp::append_error(c.out, "ERR unknown subcommand '" + c.args[1] + "'. Try CONFIG HELP.");
    }
}

void client(Call& c) {
    std::string sub = lower(c.args[1]);
    if (sub == "setname" && c.args.size() == 3) {
        const std::string& name = c.args[2];
        if (std::any_of(name.begin(), name.end(), [](char ch) { return ch <= ' ' || ch > '~'; }))
            return resp::append_error(c.out, "ERR Client names cannot contain spaces, newlines or special characters.");
        if (name.empty()) c.session.name.reset();
        else c.session.name = name;
        ok(c.out);
    } else if (sub == "getname") {
        if (c.session.name) resp::append_bulk(c.out, *c.session.name);
        else resp::append_null(c.out);
    } else if (sub == "id") {
        resp::append_integer(c.out, static_cast<std::int64_t>(c.session.id));
    } else if (sub == "info" || sub == "list") {
        resp::append_bulk(c.out, "id=" + std::to_string(c.session.id) + " name=" + c.session.name.value_or("") +
                                     " sub=" + std::to_string(c.session.subscriptions.size()) + "\n");
    } else if (sub == "setinfo" || sub == "reply" || sub == "no-evict") {
        ok(c.out);
    } else {
        resp::append_error(c.out, "ERR unknown subcommand '" + c.args[1] + "'. Try CLIENT HELP.");
    }
}

void select(Call& c) {
    if (c.args[1] == "0") ok(c.out);
    else resp::append_error(c.out, "ERR DB index is out of range");
}

void info(Call& c) {
    resp::append_bulk(c.out, "# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\nexecutable:mini_redis\r\n"
                             "# Keyspace\r\ndb0:keys=" + std::to_string(c.state.db.size()) + "\r\n");
}

void quit(Call& c) {
    c.session.quit = true;
    ok(c.out);
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

void unknown(const std::vector<std::string>& args, std::string& out) {
    // Redis 7's wording, names and arguments cut at 128 bytes.
    std::string msg = "ERR unknown command '" + args[0].substr(0, 128) + "', with args beginning with: ";
    for (std::size_t i = 1; i < args.size() && msg.size() < 1024; ++i) msg += "'" + args[i].substr(0, 128) + "' ";
    resp::append_error(out, msg);
}

}  // namespace

void execute(State& state, Session& session, std::vector<std::string>& args, std::string& out) {
    std::string name = lower(args[0]);
    auto it = table().find(name);
    if (it == table().end()) return unknown(args, out);
    const Spec& spec = it->second;
    int n = static_cast<int>(std::min<std::size_t>(args.size(), 1 << 30));
    if ((spec.arity > 0 && n != spec.arity) || (spec.arity < 0 && n < -spec.arity))
        return resp::append_error(out, "ERR wrong number of arguments for '" + name + "' command");
    if (session.subscribed() && !spec.in_subscribed_mode)
        return resp::append_error(out, "ERR Can't execute '" + name +
                                           "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                                           "allowed in this context");
    Call call{state, session, args, out, name};
    spec.run(call);
}

}  // namespace mini_redis
