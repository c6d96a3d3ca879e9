#pragma once
// command_call.hpp: what every command handler of mini_redis sees (a Call:
// the arguments, the locked keyspace, the session, where to put replies),
// Redis's shared replies and argument parsers, and the handlers of the
// commands_*.cpp files, which commands.cpp's table dispatches to.
// Internal to the command files; one thread at a time (the caller's).
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "db.hpp"
#include "numbers.hpp"
#include "resp.hpp"
#include "session.hpp"
#include "state.hpp"

namespace mini_redis::cmd {

inline const char* const kNotInteger = "ERR value is not an integer or out of range";
inline const char* const kNotFloat = "ERR value is not a valid float";
inline const char* const kSyntax = "ERR syntax error";
inline const char* const kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

/// What a handler sees: one command, run under the Db lock.
struct Call {
    State& state;
    Keyspace& db;
    Session& session;
    std::vector<std::string>& args;
    std::vector<resp::Value>& replies;
    const std::string& name;  ///< lower case
    bool in_exec = false;     ///< inside EXEC: blocking commands answer at once (Redis's DENY_BLOCKING)

    void reply(resp::Value v) { replies.push_back(std::move(v)); }
    void ok() { reply(resp::simple("OK")); }
    void error(std::string msg) { reply(resp::error(std::move(msg))); }
    void wrong_type() { error(kWrongType); }
    void syntax_error() { error(kSyntax); }
    void arity_error() { error("ERR wrong number of arguments for '" + name + "' command"); }
    void integer(std::int64_t n) { reply(resp::integer(n)); }
    void null() { reply(resp::null()); }

    /// Redis's getLongLongFromObjectOrReply: false (and the error sent) if
    /// args[i] is not a canonical integer.
    bool arg_ll(std::size_t i, long long& out, const char* msg = kNotInteger) {
        if (num::parse_ll(args[i], out)) return true;
        error(msg);
        return false;
    }
    /// Redis's getPositiveLongFromObjectOrReply: one error for both a
    /// non-integer and a negative count.
    bool arg_count(std::size_t i, long long& out) {
        if (num::parse_ll(args[i], out) && out >= 0) return true;
        error("ERR value is out of range, must be positive");
        return false;
    }
    bool arg_double(std::size_t i, double& out) {
        if (num::parse_double(args[i], out)) return true;
        error(kNotFloat);
        return false;
    }
    /// The live entry of args[i] as a T (String = std::string), or nullptr
    /// when missing; `wrong` is set (and the error sent) when it holds another type.
    template <class T>
    T* lookup(std::size_t i, bool& wrong);
};

template <class T>
T* get_as(Entry& e) {
    if constexpr (std::is_same_v<T, std::string>) {
        return std::get_if<std::string>(&e.value);
    } else {
        auto* p = std::get_if<std::unique_ptr<T>>(&e.value);
        return p ? p->get() : nullptr;
    }
}

template <class T>
T* Call::lookup(std::size_t i, bool& wrong) {
    wrong = false;
    auto it = db.find(args[i]);
    if (it == db.end()) return nullptr;
    T* v = get_as<T>(it->second);
    if (!v) {
        wrong = true;
        wrong_type();
    }
    return v;
}

inline std::string lower(std::string_view s) {
    std::string r(s);
    for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

/// ASCII case folding, what std::tolower does in the "C" locale mini_redis
/// runs in (Redis's strcasecmp alike), without a libc call per byte: the
/// command lookup folds every request's name.
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

inline bool equals_ci(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// The handlers, one file per group; commands.cpp's table names them.
// commands_keys.cpp
void del(Call&), exists(Call&), type(Call&), keys(Call&), scan(Call&), rename(Call&), expire(Call&), ttl(Call&),
    persist(Call&), dbsize(Call&), flush(Call&);
// commands_strings.cpp
void get(Call&), set(Call&), setnx(Call&), setex(Call&), getset(Call&), getdel(Call&), getex(Call&), mget(Call&),
    mset(Call&), append(Call&), strlen(Call&), getrange(Call&), setrange(Call&), incr(Call&), incrby(Call&),
    incrbyfloat(Call&);
// commands_lists.cpp
void push(Call&), pop(Call&), lrange(Call&), llen(Call&), lindex(Call&), lset(Call&), lrem(Call&), ltrim(Call&),
    linsert(Call&), lmove(Call&), rpoplpush(Call&), blocking_pop(Call&), blmove(Call&), brpoplpush(Call&);
// commands_hashes.cpp
void hset(Call&), hsetnx(Call&), hget(Call&), hmget(Call&), hdel(Call&), hgetall(Call&), hlen(Call&),
    hexists(Call&), hstrlen(Call&), hincrby(Call&), hincrbyfloat(Call&);
// commands_sets.cpp
void sadd(Call&), srem(Call&), smembers(Call&), sismember(Call&), smismember(Call&), scard(Call&), spop(Call&),
    srandmember(Call&), smove(Call&);
// commands_zsets.cpp
void zadd(Call&), zincrby(Call&), zscore(Call&), zmscore(Call&), zcard(Call&), zrank(Call&), zrem(Call&),
    zrange(Call&), zrevrange(Call&), zrangebyscore(Call&), zcount(Call&), zpop(Call&);
// commands_transactions.cpp
void multi(Call&), exec(Call&), discard(Call&), watch(Call&), unwatch(Call&);
// commands_pubsub.cpp (forwarding to session_commands.cpp)
void publish(Call&), subscribe(Call&), unsubscribe(Call&), psubscribe(Call&), punsubscribe(Call&), pubsub(Call&),
    hello(Call&);
// commands_server.cpp
void ping(Call&), echo(Call&), quit(Call&), select(Call&), time(Call&), info(Call&), command(Call&), config(Call&),
    client(Call&);

/// EXEC's body: runs one queued command (commands.cpp).
void run_queued(Call& outer, std::vector<std::string>& args, std::vector<resp::Value>& replies);

}  // namespace mini_redis::cmd
