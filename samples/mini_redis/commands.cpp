// commands: the dispatch table of every command mini_redis knows (name,
// Redis's arity, handler; the handlers live in commands_*.cpp, one file per
// data type or concern), and the steps Redis's processCommand takes before
// and after a command: name and arity checks, the subscribed-mode
// restriction, queueing inside MULTI, the Db lock, and serving the clients
// blocked on keys the command made ready.
#include "commands.hpp"

#include <string_view>
#include <unordered_map>

#include "command_call.hpp"

namespace mini_redis {
namespace {

using cmd::Call;

/// A command's entry in the table.
struct Spec {
    int arity;  ///< Redis's convention: n exactly, or -n for at least n (the name included)
    void (*run)(Call&);
    bool in_subscribed_mode = false;  ///< allowed while subscribed (RESP2)
    bool not_queued = false;          ///< runs at once inside MULTI (EXEC, DISCARD, MULTI, WATCH, QUIT)
};

/// Command names in any case: the table is searched with the request's
/// args[0] as it came, without a lower-cased copy (heterogeneous lookup).
struct CaseFoldHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const {
        std::size_t h = 14695981039346656037ull;  // FNV-1a over the lower-cased bytes
        for (char c : s) h = (h ^ static_cast<unsigned char>(c | 0x20)) * 1099511628211ull;
        return h;
    }
};
struct CaseFoldEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return cmd::equals_ci(a, b); }
};
using Table = std::unordered_map<std::string, Spec, CaseFoldHash, CaseFoldEqual>;

/// Every command, by lower-case name, with Redis 7.0's arity.
const Table& table() {
    static const Table t = {
        // keys
        {"del", {-2, cmd::del}},
        {"unlink", {-2, cmd::del}},
        {"exists", {-2, cmd::exists}},
        {"type", {2, cmd::type}},
        {"keys", {2, cmd::keys}},
        {"scan", {-2, cmd::scan}},
        {"rename", {3, cmd::rename}},
        {"renamenx", {3, cmd::rename}},
        {"expire", {-3, cmd::expire}},
        {"pexpire", {-3, cmd::expire}},
        {"expireat", {-3, cmd::expire}},
        {"pexpireat", {-3, cmd::expire}},
        {"ttl", {2, cmd::ttl}},
        {"pttl", {2, cmd::ttl}},
        {"expiretime", {2, cmd::ttl}},
        {"pexpiretime", {2, cmd::ttl}},
        {"persist", {2, cmd::persist}},
        {"dbsize", {1, cmd::dbsize}},
        {"flushdb", {-1, cmd::flush}},
        {"flushall", {-1, cmd::flush}},
        // strings
        {"get", {2, cmd::get}},
        {"set", {-3, cmd::set}},
        {"setnx", {3, cmd::setnx}},
        {"setex", {4, cmd::setex}},
        {"psetex", {4, cmd::setex}},
        {"getset", {3, cmd::getset}},
        {"getdel", {2, cmd::getdel}},
        {"getex", {-2, cmd::getex}},
        {"mget", {-2, cmd::mget}},
        {"mset", {-3, cmd::mset}},
        {"msetnx", {-3, cmd::mset}},
        {"append", {3, cmd::append}},
        {"strlen", {2, cmd::strlen}},
        {"getrange", {4, cmd::getrange}},
        {"substr", {4, cmd::getrange}},
        {"setrange", {4, cmd::setrange}},
        {"incr", {2, cmd::incr}},
        {"decr", {2, cmd::incr}},
        {"incrby", {3, cmd::incrby}},
        {"decrby", {3, cmd::incrby}},
        {"incrbyfloat", {3, cmd::incrbyfloat}},
        // lists
        {"lpush", {-3, cmd::push}},
        {"rpush", {-3, cmd::push}},
        {"lpushx", {-3, cmd::push}},
        {"rpushx", {-3, cmd::push}},
        {"lpop", {-2, cmd::pop}},
        {"rpop", {-2, cmd::pop}},
        {"lrange", {4, cmd::lrange}},
        {"llen", {2, cmd::llen}},
        {"lindex", {3, cmd::lindex}},
        {"lset", {4, cmd::lset}},
        {"lrem", {4, cmd::lrem}},
        {"ltrim", {4, cmd::ltrim}},
        {"linsert", {5, cmd::linsert}},
        {"lmove", {5, cmd::lmove}},
        {"rpoplpush", {3, cmd::rpoplpush}},
        {"blpop", {-3, cmd::blocking_pop}},
        {"brpop", {-3, cmd::blocking_pop}},
        {"blmove", {6, cmd::blmove}},
        {"brpoplpush", {4, cmd::brpoplpush}},
        // hashes
        {"hset", {-4, cmd::hset}},
        {"hmset", {-4, cmd::hset}},
        {"hsetnx", {4, cmd::hsetnx}},
        {"hget", {3, cmd::hget}},
        {"hmget", {-3, cmd::hmget}},
        {"hdel", {-3, cmd::hdel}},
        {"hgetall", {2, cmd::hgetall}},
        {"hkeys", {2, cmd::hgetall}},
        {"hvals", {2, cmd::hgetall}},
        {"hlen", {2, cmd::hlen}},
        {"hexists", {3, cmd::hexists}},
        {"hstrlen", {3, cmd::hstrlen}},
        {"hincrby", {4, cmd::hincrby}},
        {"hincrbyfloat", {4, cmd::hincrbyfloat}},
        // sets
        {"sadd", {-3, cmd::sadd}},
        {"srem", {-3, cmd::srem}},
        {"smembers", {2, cmd::smembers}},
        {"sismember", {3, cmd::sismember}},
        {"smismember", {-3, cmd::smismember}},
        {"scard", {2, cmd::scard}},
        {"spop", {-2, cmd::spop}},
        {"srandmember", {-2, cmd::srandmember}},
        {"smove", {4, cmd::smove}},
        // sorted sets
        {"zadd", {-4, cmd::zadd}},
        {"zincrby", {4, cmd::zincrby}},
        {"zscore", {3, cmd::zscore}},
        {"zmscore", {-3, cmd::zmscore}},
        {"zcard", {2, cmd::zcard}},
        {"zrank", {3, cmd::zrank}},
        {"zrevrank", {3, cmd::zrank}},
        {"zrem", {-3, cmd::zrem}},
        {"zrange", {-4, cmd::zrange}},
        {"zrevrange", {-4, cmd::zrevrange}},
        {"zrangebyscore", {-4, cmd::zrangebyscore}},
        {"zrevrangebyscore", {-4, cmd::zrangebyscore}},
        {"zcount", {4, cmd::zcount}},
        {"zpopmin", {-2, cmd::zpop}},
        {"zpopmax", {-2, cmd::zpop}},
        // transactions
        {"multi", {1, cmd::multi, false, true}},
        {"exec", {1, cmd::exec, false, true}},
        {"discard", {1, cmd::discard, false, true}},
        {"watch", {-2, cmd::watch, false, true}},
        {"unwatch", {1, cmd::unwatch}},
        // pub/sub
        {"publish", {3, cmd::publish}},
        {"subscribe", {-2, cmd::subscribe, true}},
        {"unsubscribe", {-1, cmd::unsubscribe, true}},
        {"psubscribe", {-2, cmd::psubscribe, true}},
        {"punsubscribe", {-1, cmd::punsubscribe, true}},
        {"pubsub", {-2, cmd::pubsub}},
        {"hello", {-1, cmd::hello}},
        // connection and server
        {"ping", {-1, cmd::ping, true}},
        {"echo", {2, cmd::echo}},
        {"quit", {-1, cmd::quit, true, true}},
        {"select", {2, cmd::select}},
        {"time", {1, cmd::time}},
        {"info", {-1, cmd::info}},
        {"command", {-1, cmd::command}},
        {"config", {-2, cmd::config}},
        {"client", {-2, cmd::client}},
    };
    return t;
}

std::string unknown_message(const std::vector<std::string>& args) {
    // Redis 7's wording, names and arguments cut at 128 bytes.
    std::string msg = "ERR unknown command '" + args[0].substr(0, 128) + "', with args beginning with: ";
    for (std::size_t i = 1; i < args.size() && msg.size() < 1024; ++i) msg += "'" + args[i].substr(0, 128) + "' ";
    return msg;
}

/// The checks before running `args`: nullptr (and the error in `error`) if
/// it must be refused; else its table entry, whose key is the lower-case name.
const Table::value_type* check(const Session& session, const std::vector<std::string>& args, std::string& error) {
    auto it = table().find(std::string_view(args[0]));
    if (it == table().end()) {
        error = unknown_message(args);
        return nullptr;
    }
    const std::string& name = it->first;
    const Spec& spec = it->second;
    int n = static_cast<int>(std::min<std::size_t>(args.size(), 1 << 30));
    if ((spec.arity > 0 && n != spec.arity) || (spec.arity < 0 && n < -spec.arity)) {
        error = "ERR wrong number of arguments for '" + name + "' command";
        return nullptr;
    }
    if (session.subscribed() && !spec.in_subscribed_mode) {
        error = "ERR Can't execute '" + name +
                "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";
        return nullptr;
    }
    return &*it;
}

}  // namespace

namespace cmd {

void run_queued(Call& outer, std::vector<std::string>& args, std::vector<resp::Value>& replies) {
    auto it = table().find(std::string_view(args[0]));  // checked when it was queued
    Call call{outer.state, outer.db, outer.session, args, replies, it->first, true};
    it->second.run(call);
}

}  // namespace cmd

void execute(State& state, Session& session, std::optional<Db::Guard>& db, std::vector<std::string>& args,
             std::vector<resp::Value>& replies) {
    std::string error;
    const Table::value_type* entry = check(session, args, error);
    if (!entry) {
        if (session.tx.active) session.tx.dirty = true;  // EXEC will answer EXECABORT
        return replies.push_back(resp::error(std::move(error)));
    }
    if (session.tx.active && !entry->second.not_queued) {
        session.tx.queued.push_back(std::move(args));
        return replies.push_back(resp::simple("QUEUED"));
    }
    if (db) db->next_command();
    else db.emplace(state.db);
    Call call{state, **db, session, args, replies, entry->first};
    entry->second.run(call);
    if ((*db)->has_ready()) (*db)->serve_blocked();
}

}  // namespace mini_redis
