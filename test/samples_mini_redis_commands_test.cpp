// The mini_redis sample's commands and data types, differentially: the
// same scripted commands go to a real redis-server 7 and to
// $POLLEN_BUILD/samples/mini_redis over raw sockets, and every reply must be
// the same bytes. Replies that are not deterministic in Redis itself are
// compared by shape instead (a set's members as a set, a TTL within a
// second, a random member's type); SCAN, TIME and the random commands have
// tests of their own. The scenarios with several clients (blocking pops,
// WATCH) run on both servers too, ordered by INFO's blocked_clients, never
// by sleeping. Last, redis-benchmark's default test list runs to its end.
// Skipped when redis-server is not installed. Waits have generous limits
// that only turn a hang into a failure.
#include "../samples/mini_redis/resp.hpp"
#include "support/redis_server.hpp"
#include "support/sample_process.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace pollen::test_support;

// ---------------------------------------------------------------- helpers

/// One connection speaking RESP: sends commands as arrays of bulk strings
/// and reads whole replies, as raw bytes.
class Conn {
public:
    explicit Conn(int port) : client_(port) {}

    bool connected() const { return client_.connected(); }
    void send(const std::vector<std::string>& args) {
        std::string out;
        resp::append_command(out, args);
        client_.send(out);
    }
    /// Several commands in one write: a pipeline the server finds buffered whole.
    void send_pipeline(const std::vector<std::vector<std::string>>& commands) {
        std::string out;
        for (const auto& args : commands) resp::append_command(out, args);
        client_.send(out);
    }
    /// The next whole reply's bytes; "" if none came (closed, or the 10 s guard).
    std::string reply() {
        for (;;) {
            auto p = resp::parse_value(buf_);
            if (p.complete()) {
                std::string raw = buf_.substr(0, p.consumed);
                buf_.erase(0, p.consumed);
                return raw;
            }
            if (p.failed()) return "<unparsable: " + buf_ + ">";
            char more[4096];
            ssize_t n = ::recv(client_.fd(), more, sizeof more, 0);  // the Client's 10 s guard applies
            if (n <= 0) return "";
            buf_.append(more, static_cast<std::size_t>(n));
        }
    }
    std::string call(const std::vector<std::string>& args) {
        send(args);
        return reply();
    }

private:
    Client client_;
    std::string buf_;
};

/// A command line split on spaces, with "..." for arguments holding spaces
/// or nothing.
std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ') ++i;
        if (i == line.size()) break;
        std::string arg;
        if (line[i] == '"') {
            for (++i; i < line.size() && line[i] != '"'; ++i) arg += line[i];
            ++i;
        } else {
            for (; i < line.size() && line[i] != ' '; ++i) arg += line[i];
        }
        out.push_back(std::move(arg));
    }
    return out;
}

/// The parsed form of raw reply bytes.
resp::Value parse(const std::string& raw) { return resp::parse_value(raw).value; }

std::string encode(const resp::Value& v) {
    std::string out;
    resp::append_value(out, v);
    return out;
}

/// An array reply's elements (or, with `pairs`, its element pairs), each
/// encoded, sorted: the reply as a multiset.
std::vector<std::string> as_multiset(const std::string& raw, bool pairs) {
    resp::Value v = parse(raw);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.elements.size(); i += pairs ? 2 : 1) {
        std::string e = encode(v.elements[i]);
        if (pairs && i + 1 < v.elements.size()) e += encode(v.elements[i + 1]);
        out.push_back(e);
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// How a script line's replies are compared. A line starts with its mode:
///   (none)  the same bytes
///   ~       an array with the same elements, in any order
///   ~2      an array with the same (field, value) pairs, in any order
///   @N      integers at most N apart (a TTL read a moment later: the two
///           servers answer a few milliseconds apart)
///   ?       the same kind of reply and array length (a random member)
///   !       not compared (mini_redis differs on purpose; see the line)
void expect_same_replies(int redis_port, int mini_port, const std::string& script) {
    Conn redis(redis_port), mini(mini_port);
    ASSERT_TRUE(redis.connected() && mini.connected());
    std::istringstream lines(script);
    std::string line;
    while (std::getline(lines, line)) {
        while (!line.empty() && line.front() == ' ') line.erase(0, 1);
        if (line.empty() || line[0] == '#') continue;
        std::string mode;
        if (line[0] == '~' || line[0] == '@' || line[0] == '?' || line[0] == '!') {
            mode = line.substr(0, line.find(' '));
            line.erase(0, mode.size() + 1);
        }
        auto args = split(line);
        std::string a = redis.call(args), b = mini.call(args);
        ASSERT_FALSE(a.empty()) << "redis-server did not answer: " << line;
        ASSERT_FALSE(b.empty()) << "mini_redis did not answer: " << line;
        if (mode.empty()) {
            EXPECT_EQ(a, b) << line;
        } else if (mode == "~" || mode == "~2") {
            EXPECT_EQ(a[0], b[0]) << line;
            EXPECT_EQ(as_multiset(a, mode == "~2"), as_multiset(b, mode == "~2")) << line << "\n" << a << "\n" << b;
        } else if (mode[0] == '@') {
            resp::Value x = parse(a), y = parse(b);
            ASSERT_TRUE(x.is_integer() && y.is_integer()) << line << "\n" << a << "\n" << b;
            EXPECT_LE(std::abs(x.integer - y.integer), std::stoll(mode.substr(1))) << line << "\n" << a << "\n" << b;
        } else if (mode == "?") {
            resp::Value x = parse(a), y = parse(b);
            EXPECT_EQ(x.kind, y.kind) << line << "\n" << a << "\n" << b;
            EXPECT_EQ(x.elements.size(), y.elements.size()) << line;
        }
    }
}

/// Waits until the server at `port` has `n` clients blocked (INFO's
/// blocked_clients), so that what is sent next happens after the blocking.
bool wait_blocked(int port, int n) {
    Conn c(port);
    std::string want = "blocked_clients:" + std::to_string(n) + "\r\n";
    for (int i = 0; i < 2000; ++i) {
        if (c.call({"INFO"}).find(want) != std::string::npos) return true;
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

/// Both servers, started once for the suite; each test starts from an
/// empty keyspace.
class MiniRedisVsRedis : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        redis_ = new RedisServer();
        mini_ = new ServerProcess("mini_redis");
    }
    static void TearDownTestSuite() {
        delete redis_;
        delete mini_;
        redis_ = nullptr;
        mini_ = nullptr;
    }
    void SetUp() override {
        if (redis_->port() < 0) GTEST_SKIP() << "redis-server is not installed";
        ASSERT_TRUE(mini_->port()) << "mini_redis did not start";
        for (int port : {redis(), mini()}) ASSERT_EQ(Conn(port).call({"FLUSHALL"}), "+OK\r\n");
    }
    static int redis() { return redis_->port(); }
    static int mini() { return *mini_->port(); }
    void same(const std::string& script) { expect_same_replies(redis(), mini(), script); }

    /// Runs `scenario` against each server; the replies it collected must be equal.
    template <class F>
    void same_scenario(F scenario) {
        std::vector<std::string> a = scenario(redis()), b = scenario(mini());
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]) << "step " << i;
    }

    static RedisServer* redis_;
    static ServerProcess* mini_;
};

RedisServer* MiniRedisVsRedis::redis_ = nullptr;
ServerProcess* MiniRedisVsRedis::mini_ = nullptr;

}  // namespace

// ---------------------------------------------------------------- against redis-server: one client

TEST_F(MiniRedisVsRedis, StringCommands) {
    same(R"(
        SET k v
        GET k
        GET nokey
        SET k v GET
        SET k w GET EX 100
        SET k x KEEPTTL
        SET k y
        SET k v FOO
        SET k v NX XX
        SET k v KEEPTTL EX 10
        SET k v EX 10 PX 10
        SET k v EX 10 EX 20
        SET nx 1 NX
        SET nx 2 NX
        SET nx 3 XX
        SET xx 1 XX
        GET nx
        SET k v XX GET
        SET newk v NX GET
        GETSET k new
        GETSET nokey new
        GETDEL k
        GETDEL k
        SETNX sn 1
        SETNX sn 2
        GET sn
        MSET a 1 b 2 c 3
        MSET a 1 b
        MGET a b c nokey
        MSETNX a 9 zz 9
        MSETNX x1 1 x2 2
        MGET x1 x2 zz
        APPEND ap hello
        APPEND ap " world"
        GET ap
        STRLEN ap
        STRLEN nokey
        GETRANGE ap 0 4
        GETRANGE ap -5 -1
        GETRANGE ap 5 2
        GETRANGE ap -1 -5
        GETRANGE ap 0 100
        GETRANGE nokey 0 1
        GETRANGE ap a 1
        SETRANGE ap 6 WORLD
        GET ap
        SETRANGE sr 5 x
        GET sr
        SETRANGE sr2 0 ""
        EXISTS sr2
        SETRANGE ap -1 x
        SETRANGE ap 3 ""
        SETRANGE ap 9223372036854775807 x
        INCRBYFLOAT f 10.5
        INCRBYFLOAT f 0.1
        INCRBYFLOAT f -5.0e3
        INCRBYFLOAT f 1e400
        INCRBYFLOAT f abc
        INCRBYFLOAT f inf
        SET f 3.0
        INCRBYFLOAT f 1
        SET f " 1"
        INCRBYFLOAT f 1
        INCRBYFLOAT f3 1.1
        INCRBYFLOAT f3 2.2
        INCRBYFLOAT f4 5e-20
        MGET f f3 f4
    )");
}

TEST_F(MiniRedisVsRedis, IntegersMustBeCanonicalAsInRedis7) {
    same(R"(
        SET k 10
        INCR k
        SET k 007
        INCR k
        SET k +5
        INCR k
        SET k " 5"
        INCR k
        SET k "5 "
        DECR k
        SET k -0
        INCR k
        SET k 0
        INCR k
        SET k 9223372036854775807
        INCR k
        SET k -9223372036854775808
        DECR k
        INCRBY k 007
        INCRBY k -0
        INCRBY k +1
        INCRBY k 9223372036854775808
        DECRBY k -9223372036854775808
        DECRBY k 5
        DECR dd
        DECRBY dd 10
        INCRBY dd 100
        GET dd
        SET k 12345678901234567890
        INCR k
        SET k ""
        INCR k
        LPUSH l x
        INCR l
        LINDEX l 007
        LRANGE l 0 +1
        EXPIRE l 007
    )");
}

TEST_F(MiniRedisVsRedis, ExpiryAsRedis7Accepts) {
    same(R"(
        SET k v EX 9223372036854775
        SET k v EX 9223372036853
        @2 TTL k
        SET k v EX 92233720368547
        @2000 PTTL k
        SET k v EX 0
        SET k v EX -5
        SET k v PX 0
        SET k v PX 9223372036854775807
        SET k v EX abc
        SET k v EXAT 1
        GET k
        SET k v PXAT 99999999999000
        PEXPIRETIME k
        SETEX se 100 v
        @2 TTL se
        SETEX se 0 v
        SETEX se abc v
        SETEX se 9223372036854775 v
        PSETEX pse 100000 v
        @2000 PTTL pse
        PSETEX pse -1 v
        GETEX nokey
        SET g val
        GETEX g EX 100
        @2 TTL g
        GETEX g PERSIST
        TTL g
        GETEX g PX 5000
        @2000 PTTL g
        GETEX g EXAT 1
        GET g
        SET g val
        GETEX g EX 0
        GETEX g PERSIST EX 10
        GETEX g FOO
        LPUSH l a
        GETEX l EX 10
        SET n v
        EXPIRE n 100
        @2 TTL n
        EXPIRE n 100 NX
        EXPIRE n 200 XX
        @2 TTL n
        EXPIRE n 50 GT
        EXPIRE n 500 GT
        @2 TTL n
        EXPIRE n 600 LT
        EXPIRE n 50 LT
        @2 TTL n
        EXPIRE n 10 NX XX
        EXPIRE n 10 GT LT
        EXPIRE n 10 FOO
        EXPIRE n 10 nx NX
        EXPIRE n abc
        EXPIRE n 9223372036854775807
        EXPIRE n 9223372036854775
        EXPIRE n -9223372036854775
        PEXPIRE n 9223372036854775807
        EXPIRE nokey 10
        PERSIST n
        PERSIST n
        PERSIST nokey
        TTL n
        TTL nokey
        PTTL nokey
        SET m v
        EXPIRE m 10 XX
        EXPIRE m 10 GT
        EXPIRE m 10 LT
        @2 TTL m
        EXPIREAT m 1
        EXISTS m
        SET e v
        EXPIREAT e 99999999999
        EXPIRETIME e
        PEXPIRETIME e
        EXPIRETIME nokey
        SET p v
        EXPIRETIME p
        PEXPIREAT p 99999999999000
        PEXPIRETIME p
        EXPIRE p -1
        EXISTS p
        SET q v PX 1
        SET r v
        PEXPIRE r 1
    )");
}

TEST_F(MiniRedisVsRedis, KeyspaceCommands) {
    same(R"(
        MSET a 1 b 2 c 3 hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5
        ~ KEYS h?llo
        ~ KEYS h*llo
        ~ KEYS h[ae]llo
        ~ KEYS h[^e]llo
        ~ KEYS h[a-b]llo
        ~ KEYS *
        KEYS nomatch*
        KEYS a
        EXISTS a b nokey a
        DEL a nokey b
        UNLINK c
        EXISTS a b c
        RENAME hello hello2
        GET hello2
        RENAME nokey x
        RENAME hello2 hello2
        RENAMENX hello2 hallo
        RENAMENX hello2 newname
        RENAMENX nokey x
        RENAMENX newname newname
        SET ttlk v EX 100
        RENAME ttlk ttlk2
        @2 TTL ttlk2
        RPUSH list 1 2
        RENAME list hallo
        TYPE hallo
        LRANGE hallo 0 -1
        TYPE nokey
        DBSIZE
        FLUSHDB FOO
        FLUSHDB SYNC ASYNC
        FLUSHDB ASYNC
        DBSIZE
        SCAN 0 COUNT 0
        SCAN 0 COUNT abc
        SCAN abc
        SCAN -1x
        SCAN 0 FOO
        SCAN 0 MATCH
        SCAN 0 TYPE
        SELECT 0
        PING
        PING hi
        PING a b
        ECHO x
        ECHO
    )");
}

TEST_F(MiniRedisVsRedis, ListCommands) {
    same(R"(
        LPUSH l a b c
        RPUSH l d e
        LRANGE l 0 -1
        LRANGE l -100 100
        LRANGE l 3 1
        LRANGE l a 1
        LRANGE nokey 0 -1
        LLEN l
        LLEN nokey
        LINDEX l 0
        LINDEX l -1
        LINDEX l 10
        LINDEX l x
        LINDEX nokey 0
        LSET l 0 A
        LSET l -1 E
        LSET l 10 x
        LSET nokey 0 x
        LSET l x y
        LRANGE l 0 -1
        LPOP l
        RPOP l
        LPOP l 2
        RPOP l 0
        LPOP l -1
        LPOP nokey
        LPOP nokey 2
        LPOP l 1 2
        RPOP l 10
        EXISTS l
        LPUSHX l x
        RPUSHX l x
        RPUSH l 1 2 3 2 1 2
        LREM l 2 2
        LRANGE l 0 -1
        LREM l -1 1
        LRANGE l 0 -1
        LREM l 0 3
        LREM l 0 nope
        LREM nokey 0 x
        LREM l x y
        LREM l -9223372036854775808 2
        LRANGE l 0 -1
        RPUSH t 1 2 3 4 5 6
        LTRIM t 1 -2
        LRANGE t 0 -1
        LTRIM t 5 1
        EXISTS t
        LTRIM nokey 0 1
        RPUSH i a b c
        LINSERT i BEFORE b X
        LINSERT i AFTER c Y
        LINSERT i AFTER nope Z
        LINSERT i MIDDLE b Z
        LINSERT nokey BEFORE a b
        LRANGE i 0 -1
        RPUSH src 1 2 3
        LMOVE src dst LEFT RIGHT
        LMOVE src dst RIGHT LEFT
        LMOVE src dst UP LEFT
        LRANGE dst 0 -1
        LMOVE src src LEFT RIGHT
        LRANGE src 0 -1
        RPOPLPUSH src dst
        RPOPLPUSH src dst
        EXISTS src
        RPOPLPUSH nokey dst
        LRANGE dst 0 -1
        RPUSH dst d1 d2 d3 d4
        BLPOP nokey dst 0
        BRPOP dst 0
        BLMOVE dst other LEFT RIGHT 0
        BRPOPLPUSH dst other 0
        LRANGE other 0 -1
        BLPOP nokey 0.01
        BRPOP nokey1 nokey2 0.01
        BLMOVE nokey other LEFT RIGHT 0.01
        BRPOPLPUSH nokey other 0.01
        BLPOP nokey -1
        BLPOP nokey abc
        BLPOP nokey 1e30
        BLPOP nokey inf
        BLMOVE dst other FOO RIGHT 0
        BLMOVE dst other LEFT RIGHT -1
        LPUSH
        LPOP
        LRANGE l 0
    )");
}

TEST_F(MiniRedisVsRedis, HashCommands) {
    same(R"(
        HSET h f1 v1 f2 v2
        HSET h f1 x f3 v3
        HSET h f1
        HMSET h f4 v4
        HMSET h f5
        HGETALL h
        HKEYS h
        HVALS h
        HGET h f1
        HGET h nope
        HGET nokey f
        HMGET h f1 nope f3
        HMGET nokey a b
        HLEN h
        HLEN nokey
        HEXISTS h f1
        HEXISTS h nope
        HSTRLEN h f1
        HSTRLEN h nope
        HDEL h f1 nope
        HGETALL h
        HSET h f1 back
        HGETALL h
        HSETNX h f2 z
        HSETNX h f9 z
        HINCRBY h n 5
        HINCRBY h n -10
        HINCRBY h f2 1
        HINCRBY h n abc
        HINCRBY h n 007
        HINCRBY h n 9223372036854775807
        HINCRBY h n -9223372036854775808
        HINCRBYFLOAT h fl 1.5
        HINCRBYFLOAT h fl 0.1
        HINCRBYFLOAT h fl inf
        HINCRBYFLOAT h fl abc
        HINCRBYFLOAT h f2 1
        HGETALL h
        HDEL h f1 f2 f3 f4 f9 n fl
        EXISTS h
        HGETALL nokey
        HKEYS nokey
        SET str v
        HGET str f
        HSET str f v
        HGETALL str
        HINCRBY str f 1
    )");
}

TEST_F(MiniRedisVsRedis, SetCommands) {
    same(R"(
        SADD s 3 1 2 10 -5
        SADD s 1
        SMEMBERS s
        SCARD s
        SISMEMBER s 1
        SISMEMBER s 9
        SMISMEMBER s 1 9 2
        SMISMEMBER nokey a
        SREM s 1 9
        SMEMBERS s
        SADD s 007
        ~ SMEMBERS s
        SREM s 007
        ~ SMEMBERS s
        SADD words b a c
        ~ SMEMBERS words
        SREM words a b c
        EXISTS words
        SMEMBERS nokey
        SCARD nokey
        SPOP nokey
        SPOP nokey 3
        SPOP s 0
        SPOP s -1
        SPOP s a
        LPOP s a
        RPOP nokey -5
        ZPOPMIN s a
        SPOP s 1 2
        SRANDMEMBER nokey
        SRANDMEMBER nokey 5
        SRANDMEMBER s 0
        ~ SRANDMEMBER s 100
        SRANDMEMBER s a
        SRANDMEMBER s 1 2
        ? SRANDMEMBER s
        ? SRANDMEMBER s 2
        ? SRANDMEMBER s -7
        SCARD s
        ? SPOP s
        ? SPOP s 2
        SCARD s
        DEL s
        SADD s a b c
        ~ SPOP s 10
        EXISTS s
        SADD mv a b
        SMOVE mv mv2 a
        SMOVE mv mv2 a
        SMOVE nokey mv2 a
        SMOVE mv mv b
        SMEMBERS mv2
        SET str v
        SMOVE mv str b
        SADD str x
        SMEMBERS str
        SISMEMBER str x
        SADD ints 1 2 3
        SADD ints x
        SREM ints x
        ~ SMEMBERS ints
    )");
}

TEST_F(MiniRedisVsRedis, SortedSetCommands) {
    same(R"(
        ZADD z 1 a 2 b 3 c
        ZADD z 1.5 a
        ZADD z CH 2 a 9 d
        ZADD z NX 100 a 4 e
        ZADD z XX 5 e 6 f
        ZADD z GT 1 e
        ZADD z LT 1 e
        ZADD z GT CH 7 e
        ZADD z NX XX 1 a
        ZADD z GT LT 1 a
        ZADD z NX GT 1 a
        ZADD z INCR 1 a 2 b
        ZADD z INCR 1 a
        ZADD z INCR NX 1 a
        ZADD z INCR XX 1 nope
        ZADD z 1
        ZADD z x a
        ZADD z nan a
        ZADD z 1.1 g -inf h +inf i
        ZADD xx XX 1 a
        EXISTS xx
        ZRANGE z 0 -1
        ZRANGE z 0 -1 WITHSCORES
        ZRANGE z 2 4 REV WITHSCORES
        ZRANGE z -2 -1
        ZRANGE z 5 1
        ZRANGE z 0 -1 LIMIT 0 2
        ZRANGE z 1 5 BYSCORE
        ZRANGE z (1 5 BYSCORE WITHSCORES LIMIT 1 2
        ZRANGE z 5 1 BYSCORE REV
        ZRANGE z -inf +inf BYSCORE LIMIT 2 -1
        ZRANGE z 0 -1 FOO
        ZRANGE nokey 0 -1
        ZREVRANGE z 0 2 WITHSCORES
        ZREVRANGE z 0 2 BYSCORE
        ZREVRANGE z -1 -1
        ZRANGEBYSCORE z -inf +inf
        ZRANGEBYSCORE z (2 5 WITHSCORES
        ZRANGEBYSCORE z 2 x
        ZRANGEBYSCORE z -inf +inf LIMIT 1 2
        ZRANGEBYSCORE z -inf +inf LIMIT -1 2
        ZRANGEBYSCORE z -inf +inf LIMIT 100 2
        ZRANGEBYSCORE z -inf +inf REV
        ZREVRANGEBYSCORE z +inf -inf
        ZREVRANGEBYSCORE z 5 (2 WITHSCORES LIMIT 0 1
        ZRANGEBYSCORE nokey 0 1
        ZSCORE z a
        ZSCORE z g
        ZSCORE z h
        ZSCORE z nope
        ZSCORE nokey a
        ZMSCORE z a nope g
        ZCARD z
        ZCARD nokey
        ZRANK z a
        ZREVRANK z a
        ZRANK z nope
        ZRANK nokey a
        ZCOUNT z 1 3
        ZCOUNT z (1 3
        ZCOUNT z -inf +inf
        ZCOUNT z a b
        ZCOUNT nokey 0 1
        ZINCRBY z 2.5 a
        ZINCRBY z 1 newm
        ZINCRBY z x a
        ZINCRBY z +inf i
        ZINCRBY z -inf i
        ZREM z a nope
        ZPOPMIN z
        ZPOPMAX z 2
        ZPOPMIN z 0
        ZPOPMIN z -1
        ZPOPMIN z 1 2
        ZPOPMIN nokey
        ZPOPMIN z 100
        EXISTS z
        ZADD z2 0 m
        ZREM z2 m
        EXISTS z2
        SET str v
        ZADD str 1 a
        ZSCORE str a
        ZRANGE str 0 -1
        ZADD zz 0.1 a 1e100 b 123456789012345678 c -0.0 d 3 e 1.7976931348623157e308 f 5e-324 g
        ZRANGE zz 0 -1 WITHSCORES
        ZSCORE zz d
    )");
}

TEST_F(MiniRedisVsRedis, TransactionsQueueAndAbortAsRedisDoes) {
    same(R"(
        MULTI
        SET tx 1
        INCR tx
        FOOBAR
        EXEC
        GET tx
        MULTI
        SET tx 1
        INCR tx
        LPUSH tx a
        GET tx
        EXEC
        MULTI
        MULTI
        WATCH x
        DISCARD
        DISCARD
        EXEC
        MULTI
        GET
        SET a b
        EXEC
        EXISTS a
        WATCH wk
        SET wk 1
        MULTI
        GET wk
        EXEC
        WATCH wk
        MULTI
        GET wk
        EXEC
        WATCH wk
        UNWATCH
        SET wk 2
        MULTI
        GET wk
        EXEC
        WATCH wk nokey
        DEL nokey
        MULTI
        PING
        EXEC
        WATCH wk
        FLUSHDB
        MULTI
        PING
        EXEC
        WATCH absent
        FLUSHDB
        MULTI
        PING
        EXEC
        SET exp v PXAT 1
        WATCH exp
        MULTI
        BLPOP nolist 0
        BLMOVE nolist other LEFT LEFT 0
        BRPOPLPUSH nolist other 0
        EXEC
        MULTI
        EXEC
        MULTI
        UNWATCH
        DISCARD
        WATCH
        MULTI
        SUBSCRIBE ch
        DISCARD
    )");
}

TEST_F(MiniRedisVsRedis, ErrorsNameTheCommandAndWrongTypeIsRefused) {
    same(R"(
        FOO bar baz
        GET
        SET k
        MGET
        HSET
        ZADD z
        SET str v
        LPUSH str a
        LRANGE str 0 -1
        RPOP str
        LLEN str
        SADD str a
        SCARD str
        HLEN str
        ZCARD str
        LPUSH list a
        GET list
        APPEND list x
        STRLEN list
        GETRANGE list 0 1
        INCRBYFLOAT list 1
        SETRANGE list 0 x
        MGET list str
        SET list now-a-string
        GET list
    )");
}

TEST_F(MiniRedisVsRedis, ConfigGetMatchesGlobPatterns) {
    same(R"(
        CONFIG GET save
        CONFIG GET SAVE
        CONFIG GET appendonly
        CONFIG GET appendon*
        CONFIG GET APPENDON*
        CONFIG GET set-max-*
        CONFIG GET *-max-intset-*
        CONFIG GET [a]ppendonly
        CONFIG GET ?ave
        CONFIG GET timeout
        CONFIG GET maxmemory
        CONFIG GET maxmemory-policy
        CONFIG GET nosuch
        CONFIG GET nosuch*
        ~2 CONFIG GET save appendonly
        ~2 CONFIG GET save SAVE appendonly
        ~2 CONFIG GET appendon* appendonly save
        CONFIG GET
        CONFIG FOO
        CONFIG
    )");
}

// ---------------------------------------------------------------- the nondeterministic ones

TEST_F(MiniRedisVsRedis, ScanVisitsEveryKeyWithItsFilters) {
    auto scan_all = [](int port, const std::vector<std::string>& filter) {
        Conn c(port);
        std::set<std::string> seen;
        std::string cursor = "0";
        int calls = 0;
        do {
            std::vector<std::string> args{"SCAN", cursor, "COUNT", "7"};
            args.insert(args.end(), filter.begin(), filter.end());
            resp::Value v = parse(c.call(args));
            if (v.elements.size() != 2) return std::set<std::string>{"<bad reply>"};
            cursor = v.elements[0].str;
            for (const auto& k : v.elements[1].elements) seen.insert(k.str);
        } while (cursor != "0" && ++calls < 10'000);
        return seen;
    };
    for (int port : {redis(), mini()}) {
        Conn c(port);
        for (int i = 0; i < 300; ++i) c.send({"SET", "key:" + std::to_string(i), "v"});
        for (int i = 0; i < 20; ++i) c.send({"RPUSH", "list:" + std::to_string(i), "v"});
        for (int i = 0; i < 320; ++i) c.reply();
    }
    for (const std::vector<std::string>& filter :
         {std::vector<std::string>{}, {"MATCH", "key:1*"}, {"TYPE", "list"}, {"TYPE", "LIST"}, {"MATCH", "list:1?", "TYPE", "list"},
          {"TYPE", "hash"}}) {
        auto a = scan_all(redis(), filter), b = scan_all(mini(), filter);
        EXPECT_EQ(a, b);
    }
    EXPECT_EQ(scan_all(mini(), {}).size(), 320u);
    // A cursor issued before the table grew still ends: the scan starts over.
    Conn c(mini());
    resp::Value first = parse(c.call({"SCAN", "0", "COUNT", "1"}));
    for (int i = 0; i < 5000; ++i) c.send({"SET", "more:" + std::to_string(i), "v"});
    for (int i = 0; i < 5000; ++i) c.reply();
    std::set<std::string> seen;
    std::string cursor = first.elements[0].str;
    for (int calls = 0; cursor != "0" && calls < 100'000; ++calls) {
        resp::Value v = parse(c.call({"SCAN", cursor, "COUNT", "100"}));
        cursor = v.elements[0].str;
        for (const auto& k : v.elements[1].elements) seen.insert(k.str);
    }
    EXPECT_EQ(cursor, "0");
    EXPECT_EQ(seen.size(), 5320u);
}

TEST_F(MiniRedisVsRedis, TimeIsTheWallClockInSecondsAndMicroseconds) {
    resp::Value v = parse(Conn(mini()).call({"TIME"}));
    ASSERT_EQ(v.elements.size(), 2u);
    long long secs = std::stoll(v.elements[0].str), micros = std::stoll(v.elements[1].str);
    long long now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_LE(std::abs(secs - now), 60);  // the same clock, not a monotonic one
    EXPECT_GE(micros, 0);
    EXPECT_LT(micros, 1'000'000);
    EXPECT_EQ(Conn(mini()).call({"TIME", "x"}), Conn(redis()).call({"TIME", "x"}));
}

TEST_F(MiniRedisVsRedis, RandomPopsAndPicksReturnMembers) {
    Conn c(mini());
    c.call({"SADD", "s", "a", "b", "c", "d", "e"});
    std::set<std::string> all{"a", "b", "c", "d", "e"};
    resp::Value picks = parse(c.call({"SRANDMEMBER", "s", "3"}));
    ASSERT_EQ(picks.elements.size(), 3u);
    std::set<std::string> distinct;
    for (const auto& m : picks.elements) distinct.insert(m.str);
    EXPECT_EQ(distinct.size(), 3u);  // a positive count gives distinct members
    for (const auto& m : distinct) EXPECT_TRUE(all.count(m)) << m;
    resp::Value repeats = parse(c.call({"SRANDMEMBER", "s", "-20"}));
    EXPECT_EQ(repeats.elements.size(), 20u);  // a negative one may repeat
    std::set<std::string> popped;
    popped.insert(parse(c.call({"SPOP", "s"})).str);
    for (const auto& m : parse(c.call({"SPOP", "s", "2"})).elements) popped.insert(m.str);
    EXPECT_EQ(popped.size(), 3u);
    EXPECT_EQ(parse(c.call({"SCARD", "s"})).integer, 2);
    for (const auto& m : parse(c.call({"SMEMBERS", "s"})).elements) popped.insert(m.str);
    EXPECT_EQ(popped, all);  // nothing lost, nothing twice
}

// ---------------------------------------------------------------- against redis-server: several clients

// mini_redis keeps the keyspace locked across the buffered requests of a
// pipeline: a command in the middle of one that serves a blocked client
// serves it before the next request runs, and a pipeline that blocks midway
// gives the lock up while it waits.
TEST_F(MiniRedisVsRedis, APipelineServesBlockedClientsBetweenItsRequests) {
    same_scenario([](int port) {
        std::vector<std::string> out;
        Conn a(port), b(port);
        a.send_pipeline({{"BLPOP", "q", "0"}, {"GET", "x"}});
        EXPECT_TRUE(wait_blocked(port, 1));
        b.send_pipeline({{"SET", "x", "1"}, {"LPUSH", "q", "v"}, {"LLEN", "q"}, {"GET", "x"}, {"BLPOP", "q", "0"}});
        for (int i = 0; i < 4; ++i) out.push_back(b.reply());  // OK, 1, 0 (a took v), "1"
        EXPECT_TRUE(wait_blocked(port, 1));                     // b's BLPOP waits now, after its batch
        out.push_back(a.reply());                               // q v
        out.push_back(a.reply());                               // "1": the SET before the LPUSH
        a.send_pipeline({{"RPUSH", "q", "w"}, {"LLEN", "q"}});
        out.push_back(a.reply());
        out.push_back(a.reply());
        out.push_back(b.reply());  // q w
        return out;
    });
}

TEST_F(MiniRedisVsRedis, BlockedClientsAreServedInTheOrderTheyBlocked) {
    same_scenario([](int port) {
        std::vector<std::string> out;
        Conn a(port), b(port), p(port);
        a.send({"BLPOP", "q", "q2", "0"});
        EXPECT_TRUE(wait_blocked(port, 1));
        b.send({"BRPOP", "q", "0"});
        EXPECT_TRUE(wait_blocked(port, 2));
        out.push_back(p.call({"LPUSH", "q", "a", "b", "c"}));  // counts all three
        out.push_back(a.reply());                              // c: the first to block, from the left
        out.push_back(b.reply());                              // a: from the right
        out.push_back(p.call({"LRANGE", "q", "0", "-1"}));
        out.push_back(p.call({"INFO"}).find("blocked_clients:0") != std::string::npos ? "none left" : "still blocked");
        // A key named twice waits once.
        a.send({"BLPOP", "twice", "twice", "0"});
        EXPECT_TRUE(wait_blocked(port, 1));
        out.push_back(p.call({"RPUSH", "twice", "1", "2"}));
        out.push_back(a.reply());
        out.push_back(p.call({"LLEN", "twice"}));
        return out;
    });
}

TEST_F(MiniRedisVsRedis, BlmoveServesAndItsPushServesTheNextWaiter) {
    same_scenario([](int port) {
        std::vector<std::string> out;
        Conn a(port), b(port), p(port);
        b.send({"BLPOP", "dst", "0"});
        EXPECT_TRUE(wait_blocked(port, 1));
        a.send({"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"});
        EXPECT_TRUE(wait_blocked(port, 2));
        out.push_back(p.call({"RPUSH", "src", "x"}));
        out.push_back(a.reply());
        out.push_back(b.reply());
        out.push_back(p.call({"EXISTS", "src", "dst"}));
        // A destination of the wrong type: the waiter gets WRONGTYPE, the element stays.
        a.send({"BRPOPLPUSH", "s7", "wt7", "0"});
        EXPECT_TRUE(wait_blocked(port, 1));
        out.push_back(p.call({"SET", "wt7", "x"}));
        out.push_back(p.call({"RPUSH", "s7", "e"}));
        out.push_back(a.reply());
        out.push_back(p.call({"LRANGE", "s7", "0", "-1"}));
        return out;
    });
}

TEST_F(MiniRedisVsRedis, ATimeoutRepliesTheNullArrayAndPipelinedRequestsWait) {
    same_scenario([](int port) {
        std::vector<std::string> out;
        Conn a(port), p(port);
        a.send({"BLPOP", "none", "0.05"});
        a.send({"PING"});
        out.push_back(a.reply());  // *-1
        out.push_back(a.reply());  // then the PING
        a.send({"BLMOVE", "none", "d", "LEFT", "LEFT", "0.05"});
        out.push_back(a.reply());
        a.send({"BLPOP", "pp", "0"});
        a.send({"ECHO", "after"});
        EXPECT_TRUE(wait_blocked(port, 1));
        out.push_back(p.call({"RPUSH", "pp", "1"}));
        out.push_back(a.reply());
        out.push_back(a.reply());
        return out;
    });
}

TEST_F(MiniRedisVsRedis, WhatATransactionPushesItsOwnCommandsSeeFirst) {
    same_scenario([](int port) {
        std::vector<std::string> out;
        Conn a(port), p(port);
        a.send({"BLPOP", "m", "0"});
        EXPECT_TRUE(wait_blocked(port, 1));
        // Served after EXEC, as Redis serves after the whole command: the LPOP takes it.
        for (const char* cmd : {"MULTI", "LPUSH m v", "LPOP m", "LPUSH m w", "EXEC"}) {
            std::vector<std::string> args;
            std::istringstream words(cmd);
            for (std::string w; words >> w;) args.push_back(w);
            out.push_back(p.call(args));
        }
        out.push_back(a.reply());
        return out;
    });
}

TEST_F(MiniRedisVsRedis, AClientThatLeavesWhileBlockedTakesNothingWithIt) {
    same_scenario([](int port) {
        std::vector<std::string> out;
        Conn b(port), p(port);
        {
            Conn gone(port);
            gone.send({"BLPOP", "dq", "0"});
            EXPECT_TRUE(wait_blocked(port, 1));
        }  // closed while blocked
        EXPECT_TRUE(wait_blocked(port, 0));
        b.send({"BLPOP", "dq", "0"});
        EXPECT_TRUE(wait_blocked(port, 1));
        out.push_back(p.call({"RPUSH", "dq", "only"}));
        out.push_back(b.reply());
        return out;
    });
}

TEST_F(MiniRedisVsRedis, AWaiterStaysBlockedWhileTheKeyHoldsAnotherType) {
    same_scenario([](int port) {
        std::vector<std::string> out;
        Conn a(port), p(port);
        a.send({"BLPOP", "wt", "0"});
        EXPECT_TRUE(wait_blocked(port, 1));
        out.push_back(p.call({"SET", "wt", "str"}));
        out.push_back(wait_blocked(port, 1) ? "still blocked" : "unblocked");
        out.push_back(p.call({"DEL", "wt"}));
        out.push_back(p.call({"RPUSH", "tmp", "L", "M"}));
        out.push_back(p.call({"RENAME", "tmp", "wt"}));  // a list arriving by RENAME serves too
        out.push_back(a.reply());
        return out;
    });
}

// The protocol work's commands run through the command table as the others
// do: queued inside MULTI, answered in order after a blocked pop (the request
// read ahead while blocked), CONFIG SET reaching the limits.
TEST_F(MiniRedisVsRedis, PubsubHelloAndConfigSetGoThroughTheCommandTable) {
    same_scenario([](int port) {
        std::vector<std::string> out;
        Conn s(port), p(port), a(port);
        out.push_back(s.call({"PSUBSCRIBE", "n*"}));
        out.push_back(p.call({"MULTI"}));
        out.push_back(p.call({"PUBLISH", "news", "hi"}));
        out.push_back(p.call({"PUBSUB", "NUMPAT"}));
        out.push_back(p.call({"EXEC"}));
        out.push_back(s.reply());  // the pmessage
        out.push_back(s.call({"PUNSUBSCRIBE"}));
        a.send({"BLPOP", "q", "0"});
        a.send({"PUBSUB", "NUMSUB", "news"});
        a.send({"HELLO", "4"});  // both refuse it alike (mini_redis refuses 3 too)
        EXPECT_TRUE(wait_blocked(port, 1));
        out.push_back(p.call({"RPUSH", "q", "1"}));
        out.push_back(a.reply());
        out.push_back(a.reply());
        out.push_back(a.reply());
        out.push_back(p.call({"CONFIG", "SET", "client-query-buffer-limit", "1"}));
        out.push_back(p.call({"CONFIG", "SET", "maxmemory", "0", "save"}));
        out.push_back(p.call({"CONFIG", "SET", "client-query-buffer-limit", "2mb"}));
        out.push_back(p.call({"CONFIG", "GET", "client-query-buffer-limit"}));
        out.push_back(p.call({"CONFIG", "SET", "client-query-buffer-limit", "1gb"}));
        out.push_back(p.call({"CONFIG", "GET", "client-output-buffer-limit"}));
        return out;
    });
}

TEST_F(MiniRedisVsRedis, AWatchedKeyChangedByAnotherClientAbortsExec) {
    same_scenario([](int port) {
        std::vector<std::string> out;
        Conn a(port), b(port);
        out.push_back(a.call({"SET", "w", "1"}));
        out.push_back(a.call({"WATCH", "w"}));
        out.push_back(b.call({"INCR", "w"}));
        out.push_back(a.call({"MULTI"}));
        out.push_back(a.call({"SET", "w", "mine"}));
        out.push_back(a.call({"EXEC"}));  // *-1
        out.push_back(a.call({"GET", "w"}));
        // Another client's failed write (SETNX on an existing key) is no change.
        out.push_back(a.call({"WATCH", "w"}));
        out.push_back(b.call({"SETNX", "w", "x"}));
        out.push_back(b.call({"GET", "w"}));
        out.push_back(a.call({"MULTI"}));
        out.push_back(a.call({"SET", "w", "mine"}));
        out.push_back(a.call({"EXEC"}));
        out.push_back(a.call({"GET", "w"}));
        // A watcher that leaves gives its watch up.
        {
            Conn gone(port);
            out.push_back(gone.call({"WATCH", "w"}));
        }
        out.push_back(a.call({"WATCH", "w"}));
        out.push_back(a.call({"MULTI"}));
        out.push_back(a.call({"EXEC"}));
        // A watched key that expires meanwhile is a change too.
        out.push_back(a.call({"SET", "short", "v", "PX", "300"}));  // long enough to be live at WATCH
        out.push_back(a.call({"WATCH", "short"}));
        for (int i = 0; i < 2000 && b.call({"EXISTS", "short"}) != ":0\r\n"; ++i) std::this_thread::sleep_for(5ms);
        out.push_back(a.call({"MULTI"}));
        out.push_back(a.call({"EXEC"}));
        return out;
    });
}

// ---------------------------------------------------------------- redis-benchmark

TEST(SamplesMiniRedisCommands, RedisBenchmarkDefaultTestListRunsToTheEnd) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    CommandRun run = run_command("redis-benchmark -p " + std::to_string(*server.port()) + " -q -n 2000 -c 10", 300);
    EXPECT_EQ(run.status, 0) << run.output;
    for (const char* test : {"PING_INLINE", "PING_MBULK", "SET:", "GET:", "INCR:", "LPUSH:", "RPUSH:", "LPOP:", "RPOP:",
                             "SADD:", "HSET:", "SPOP:", "ZADD:", "ZPOPMIN:", "LPUSH (needed to benchmark LRANGE)",
                             "LRANGE_100", "LRANGE_300", "LRANGE_500", "LRANGE_600", "MSET (10 keys)"}) {
        EXPECT_PRINTS(run, test);
    }
    EXPECT_EQ(run.output.find("ERR"), std::string::npos) << run.output;
    EXPECT_EQ(server.stop(SIGTERM), 0);
}
