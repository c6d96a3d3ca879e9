// The mini_redis sample: its RESP parsers (samples/mini_redis/resp.hpp) and
// codecs (resp_codec.hpp) on their own, then the server
// ($POLLEN_BUILD/samples/mini_redis, started with --port 0) talked to by
// Redis's own tools, redis-cli and redis-benchmark, and by raw sockets for
// what the tools cannot show: pipelining, protocol errors, pushes. Last, its
// client (client.hpp) against the server, a real redis-server and canned
// replies, and the hello_redis sample. Waits have generous limits that only
// turn a hang into a failure; nothing asserts how long anything took.
#include "../samples/mini_redis/client.hpp"
#include "../samples/mini_redis/resp.hpp"
#include "../samples/mini_redis/resp_codec.hpp"
#include "support/redis_server.hpp"
#include "support/sample_process.hpp"

#include <sys/prctl.h>

#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace pollen::test_support;

using Status = resp::Parsed<resp::Command>::Status;

/// redis-cli's output for one command (non-interactive: raw replies, one per line).
CommandRun cli(int port, const std::string& args) {
    return run_command("redis-cli -p " + std::to_string(port) + " " + args, 60);
}

/// Its output without the trailing newlines ("" for a nil reply).
std::string cli_out(int port, const std::string& args) {
    std::string out = cli(port, args).output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

/// The RESP encoding of a command, as clients send it.
std::string command(std::initializer_list<std::string_view> args) {
    std::string out;
    resp::append_command(out, args);
    return out;
}

}  // namespace

// ---------------------------------------------------------------- codec

TEST(RespCodec, EveryPrefixOfARequestIsIncompleteAndTheWholeIsOneCommand) {
    std::string req = command({"SET", "key", std::string_view("a\0b\r\n", 5)}) + "*1\r\n$4\r\nPING\r\n";
    std::size_t first = command({"SET", "key", std::string_view("a\0b\r\n", 5)}).size();
    for (std::size_t n = 0; n < first; ++n) {
        auto p = resp::parse_command(std::string_view(req).substr(0, n));
        ASSERT_EQ(p.status, Status::Incomplete) << "prefix of " << n << " bytes";
        EXPECT_GT(p.need, n);
        EXPECT_LE(p.need, first);
    }
    auto p = resp::parse_command(req);
    ASSERT_TRUE(p.complete());
    EXPECT_EQ(p.consumed, first);
    EXPECT_EQ(p.value.args, (std::vector<std::string>{"SET", "key", std::string("a\0b\r\n", 5)}));
    EXPECT_FALSE(p.value.is_inline);
    auto next = resp::parse_command(std::string_view(req).substr(p.consumed));
    ASSERT_TRUE(next.complete());
    EXPECT_EQ(next.value.args, (std::vector<std::string>{"PING"}));
}

TEST(RespCodec, InlineCommandsSplitOnSpacesWithRedisQuoting) {
    auto p = resp::parse_command("SET  k \"a b\\x41\\n\" 'it\\'s'\r\nGET k\n");
    ASSERT_TRUE(p.complete());
    EXPECT_TRUE(p.value.is_inline);
    EXPECT_EQ(p.value.args, (std::vector<std::string>{"SET", "k", "a bA\n", "it's"}));
    auto rest = resp::parse_command(std::string_view("GET k\n"));
    ASSERT_TRUE(rest.complete());
    EXPECT_EQ(rest.consumed, 6u);
    EXPECT_EQ(rest.value.args, (std::vector<std::string>{"GET", "k"}));

    auto empty = resp::parse_command("\r\n");
    ASSERT_TRUE(empty.complete());
    EXPECT_TRUE(empty.value.args.empty());
    EXPECT_TRUE(resp::parse_command("GET k").incomplete());

    auto bad = resp::parse_command("SET k \"open\r\n");
    ASSERT_TRUE(bad.failed());
    EXPECT_EQ(bad.error, "Protocol error: unbalanced quotes in request");
}

TEST(RespCodec, LimitsAreErrorsAsSoonAsTheHeaderIsRead) {
    resp::Limits lim;
    lim.max_bulk = 1024;
    lim.max_elements = 8;
    lim.max_line = 100;

    auto big = resp::parse_command("*1\r\n$1025\r\n", lim);
    ASSERT_TRUE(big.failed());
    EXPECT_EQ(big.error, "Protocol error: invalid bulk length");
    EXPECT_TRUE(resp::parse_command("*1\r\n$1024\r\n", lim).incomplete());

    auto many = resp::parse_command("*9\r\n", lim);
    ASSERT_TRUE(many.failed());
    EXPECT_EQ(many.error, "Protocol error: invalid multibulk length");

    auto line = resp::parse_command(std::string(101, 'a'), lim);
    ASSERT_TRUE(line.failed());
    EXPECT_EQ(line.error, "Protocol error: too big inline request");
    EXPECT_TRUE(resp::parse_command(std::string(100, 'a'), lim).incomplete());

    auto not_bulk = resp::parse_command("*1\r\n:1\r\n", lim);
    ASSERT_TRUE(not_bulk.failed());
    EXPECT_EQ(not_bulk.error, "Protocol error: expected '$', got ':'");

    for (const char* junk : {"*x\r\n", "*1\r\n$-1\r\n", "*1\r\n$3\r\nabcXY", "*1\r\n$2\rX"}) {
        EXPECT_TRUE(resp::parse_command(junk, lim).failed()) << junk;
    }
    auto skipped = resp::parse_command("*0\r\n*-1\r\n", lim);
    ASSERT_TRUE(skipped.complete());
    EXPECT_EQ(skipped.consumed, 4u);
    EXPECT_TRUE(skipped.value.args.empty());
}

TEST(RespCodec, RepliesOfEveryKindRoundTrip) {
    resp::Value arr;
    arr.kind = resp::Value::Kind::Array;
    auto add = [&](resp::Value::Kind k, std::string s = {}, std::int64_t i = 0) {
        resp::Value v;
        v.kind = k;
        v.str = std::move(s);
        v.integer = i;
        arr.elements.push_back(v);
    };
    add(resp::Value::Kind::Simple, "OK");
    add(resp::Value::Kind::Error, "ERR no");
    add(resp::Value::Kind::Integer, {}, -42);
    add(resp::Value::Kind::Bulk, std::string("x\r\ny\0", 5));
    add(resp::Value::Kind::Null);
    resp::Value nested = arr;
    arr.elements.push_back(nested);

    std::string wire;
    resp::append_value(wire, arr);
    for (std::size_t n = 0; n < wire.size(); ++n) {
        auto p = resp::parse_value(std::string_view(wire).substr(0, n));
        ASSERT_TRUE(p.incomplete()) << n;
        EXPECT_GT(p.need, n);
    }
    auto p = resp::parse_value(wire + "+next\r\n");
    ASSERT_TRUE(p.complete());
    EXPECT_EQ(p.consumed, wire.size());
    std::string again;
    resp::append_value(again, p.value);
    EXPECT_EQ(again, wire);
    EXPECT_EQ(p.value.elements[2].integer, -42);
    EXPECT_TRUE(p.value.elements[4].is_null());

    EXPECT_TRUE(resp::parse_value("*-1\r\n").value.is_null());
    EXPECT_TRUE(resp::parse_value("!3\r\n").failed());
    resp::Limits shallow;
    shallow.max_depth = 2;
    EXPECT_TRUE(resp::parse_value("*1\r\n*1\r\n*1\r\n:1\r\n", shallow).failed());
}

TEST(RespCodec, ABulkArrayEncodedInOnePassIsTheArrayOfBulksAndPassesThroughAsEncoded) {
    // Lengths of one, two and three digits, an empty and a binary element.
    std::vector<std::string> items = {"", "x", std::string(10, 'a'), std::string(123, 'b'), std::string("\r\n\0z", 4)};
    for (std::size_t n = 0; n <= items.size(); ++n) {
        std::vector<resp::Value> bulks;
        for (std::size_t i = 0; i < n; ++i) bulks.push_back(resp::bulk(items[i]));
        std::string expected;
        resp::append_value(expected, resp::array(std::move(bulks)));
        std::string fast = "+before\r\n";  // appended after what the string holds
        resp::append_bulk_array(fast, items.begin(), n);
        EXPECT_EQ(fast, "+before\r\n" + expected) << n;
    }
    std::string twelve;
    std::vector<std::string> many(12, "v");
    resp::append_bulk_array(twelve, many.begin(), many.size());
    EXPECT_EQ(twelve.substr(0, 9), "*12\r\n$1\r\n");

    // An Encoded value is written as it is, inside an array too (EXEC's replies).
    std::string inner;
    resp::append_bulk_array(inner, items.begin(), 2);
    std::string wire;
    resp::append_value(wire, resp::array({resp::integer(1), resp::encoded(inner)}));
    EXPECT_EQ(wire, "*2\r\n:1\r\n" + inner);
    auto back = resp::parse_value(wire);
    ASSERT_TRUE(back.complete());
    ASSERT_EQ(back.value.elements.size(), 2u);
    EXPECT_EQ(back.value.elements[1].elements.size(), 2u);
    EXPECT_EQ(back.value.elements[1].elements[1].str, "x");
}

TEST(RespCodec, SimpleStringsAndErrorsCannotCarryALineBreak) {
    std::string out;
    resp::append_error(out, "ERR bad\r\nthing");
    resp::append_simple(out, "a\nb");
    resp::append_integer(out, 7);
    resp::append_null(out);
    EXPECT_EQ(out, "-ERR bad  thing\r\n+a b\r\n:7\r\n$-1\r\n");
}

// ---------------------------------------------------------------- codecs

using pollen::codec::BytesMut;

/// The frames `codec` decodes from `bytes` fed `step` bytes at a time, then
/// at end of stream; a decode error ends the list as "!" and its message.
template <class Codec, class Show>
std::vector<std::string> decode_in_steps(Codec codec, std::string_view bytes, std::size_t step, Show show) {
    std::vector<std::string> out;
    BytesMut buf;
    for (std::size_t at = 0;; at += step) {
        const bool eof = at >= bytes.size();
        if (!eof) buf.extend_from_slice(bytes.substr(at, step));
        for (;;) {
            auto r = eof ? codec.decode_eof(buf) : codec.decode(buf);
            if (r.is_err()) {
                out.push_back("!" + r.error().message);
                return out;
            }
            if (!r->has_value()) break;
            out.push_back(show(**r));
        }
        if (eof) return out;
    }
}

std::string joined(const resp::Command& c) {
    std::string s;
    for (const auto& a : c.args) s += (s.empty() ? "" : " ") + a;
    return s;
}

TEST(RespCodec, ServerCodecYieldsEachRequestHoweverTheBytesArriveAndSkipsEmptyOnes) {
    const std::string input = command({"SET", "k", "v"}) + "\r\n*0\r\nPING\r\n" + command({"GET", "k"}) + "*1\r\n$4\r\nEC";
    const std::vector<std::string> want = {"SET k v", "PING", "GET k"};  // the partial ECHO is dropped at the end
    for (std::size_t step : {1u, 2u, 7u, 1000u}) {
        EXPECT_EQ(decode_in_steps(mini_redis::ServerCodec(), input, step, joined), want) << "step " << step;
    }
}

/// A CommandParser fed `input` `chunk` bytes at a time until its first
/// request ends (or fails): what it said, and the bytes it examined.
std::pair<std::string, std::uint64_t> parse_in_chunks(std::string_view input, std::size_t chunk,
                                                      const resp::Limits& lim) {
    resp::CommandParser parser(lim);
    std::string buf, out;
    std::size_t fed = 0;
    for (;;) {
        resp::CommandParser::Step s = parser.parse(buf);
        if (s.status == resp::CommandParser::Step::Status::Error) {
            out = s.error;
            break;
        }
        buf.erase(0, s.consumed);
        if (s.status == resp::CommandParser::Step::Status::Complete) {
            out = "[" + joined(parser.take()) + "]";
            break;
        }
        if (fed == input.size()) {
            out = "incomplete";
            break;
        }
        const std::size_t n = std::min(chunk, input.size() - fed);
        buf.append(input.substr(fed, n));
        fed += n;
    }
    return {out, parser.work()};
}

// Whole length lines are read in one pass, cut ones by the general scan
// that resumes where it stopped: the same requests and the same words
// whatever the line (leading zeros, a sign, a line at the length limit or
// past it, a bad end) and however it is cut; whole, the bytes examined are
// those of the scan (a cut line looks at its CR again once its LF may be there).
TEST(RespCodec, LengthLinesAreReadAlikeWholeOrCut) {
    resp::Limits narrow;
    narrow.max_line = 3;
    struct Case {
        std::string input;
        resp::Limits lim;
        std::string want;
        std::uint64_t work_whole;
    };
    const std::vector<Case> cases = {
        {"*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n", {}, "[GET key:__rand_int__]", 30},
        {"*02\r\n$003\r\nGET\r\n$1\r\nk\r\n", {}, "[GET k]", 17},
        {"*+2\r\n$3\r\nGET\r\n$1\r\nk\r\n", {}, "Protocol error: invalid multibulk length", 3},
        {"*1\r\n$-1\r\n", {}, "Protocol error: invalid bulk length", 5},
        {"*1\r\n$1x\r\nk\r\n", {}, "Protocol error: invalid bulk length", 5},
        {"*1\r\n$3\rxGET\r\n", {}, "Protocol error: invalid bulk length", 4},
        {"*1\r\n$100\r\n", narrow, "incomplete", 6},
        {"*1\r\n$1000\r\n", narrow, "Protocol error: too big bulk count string", 6},
        {"*1\r\n$0000000000000000000004\r\nPING\r\n", {}, "Protocol error: invalid bulk length", 25},
        {"*1\r\n$00000000000000004\r\nPING\r\n", {}, "[PING]", 26},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(parse_in_chunks(c.input, 1000, c.lim), std::make_pair(c.want, c.work_whole)) << c.input;
        for (std::size_t chunk : {1u, 2u, 3u, 5u}) {
            EXPECT_EQ(parse_in_chunks(c.input, chunk, c.lim).first, c.want) << c.input << " in chunks of " << chunk;
        }
    }
}

TEST(RespCodec, ServerCodecErrorsCarryRedisWordsAndCompareEqualToProtocolError) {
    resp::Limits lim;
    lim.max_bulk = 16;
    auto got = decode_in_steps(mini_redis::ServerCodec(lim), command({"PING"}) + "*1\r\n$17\r\n", 3, joined);
    EXPECT_EQ(got, (std::vector<std::string>{"PING", "!Protocol error: invalid bulk length"}));

    BytesMut buf(std::string_view("*1\r\n:5\r\n"));
    mini_redis::ServerCodec codec;
    auto r = codec.decode(buf);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error().code, mini_redis::errc::protocol_error);
    EXPECT_EQ(r.error().code, std::errc::protocol_error);
    EXPECT_EQ(r.error().message, "Protocol error: expected '$', got ':'");
}

TEST(RespCodec, AnnouncingAHugeValueReservesNothingAndABigOneIsGivenBackOnceConsumed) {
    mini_redis::ServerCodec codec;  // 64 MiB values allowed
    BytesMut buf(std::string_view("*2\r\n$4\r\nECHO\r\n$67108864\r\n"));
    const std::size_t before = buf.capacity();
    auto r = codec.decode(buf);
    ASSERT_TRUE(r.is_ok());
    EXPECT_FALSE(r->has_value());
    EXPECT_EQ(buf.capacity(), before);

    mini_redis::ServerCodec another;  // `codec` waits for its 64 MiB now
    BytesMut big;
    big.extend_from_slice(command({"ECHO", std::string(1 << 20, 'x')}));
    EXPECT_GT(big.capacity(), 1u << 20);
    auto echo = another.decode(big);
    ASSERT_TRUE(echo.is_ok() && echo->has_value());
    EXPECT_EQ((**echo).args[1].size(), 1u << 20);
    EXPECT_TRUE(big.empty());
    EXPECT_LE(big.capacity(), 64u << 10);
}

TEST(RespCodec, ClientAndServerCodecsUnderstandEachOther) {
    mini_redis::ClientCodec client;
    mini_redis::ServerCodec server;
    BytesMut wire;
    ASSERT_TRUE(client.encode(resp::Command{{"SET", "key", std::string("a\0b\r\n", 5)}, false}, wire).is_ok());
    std::string as_string;
    resp::append_command(as_string, {"SET", "key", std::string_view("a\0b\r\n", 5)});
    EXPECT_EQ(wire.as_string_view(), as_string);
    auto request = server.decode(wire);
    ASSERT_TRUE(request.is_ok() && request->has_value());
    EXPECT_EQ((**request).args, (std::vector<std::string>{"SET", "key", std::string("a\0b\r\n", 5)}));

    const resp::Value reply = resp::array({resp::simple("OK"), resp::error("ERR no\r\n"), resp::integer(-7),
                                           resp::bulk("x"), resp::null(), resp::array({})});
    ASSERT_TRUE(server.encode(reply, wire).is_ok());
    EXPECT_EQ(wire.as_string_view(), "*6\r\n+OK\r\n-ERR no  \r\n:-7\r\n$1\r\nx\r\n$-1\r\n*0\r\n");
    auto back = client.decode(wire);
    ASSERT_TRUE(back.is_ok() && back->has_value());
    std::string again;
    resp::append_value(again, **back);
    EXPECT_EQ(again, "*6\r\n+OK\r\n-ERR no  \r\n:-7\r\n$1\r\nx\r\n$-1\r\n*0\r\n");
    EXPECT_TRUE(wire.empty());
}

// ---------------------------------------------------------------- server, with redis-cli

TEST(SamplesMiniRedis, AnswersRedisCliPingEchoSetGet) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port()) << "no 'listening port=P' line";
    int port = *server.port();

    CommandRun ping = cli(port, "PING");
    EXPECT_EQ(ping.status, 0) << ping.output;
    EXPECT_EQ(ping.output, "PONG\n");
    EXPECT_EQ(cli_out(port, "PING hello"), "hello");
    EXPECT_EQ(cli_out(port, "ECHO 'two words'"), "two words");
    EXPECT_EQ(cli_out(port, "SET greeting hi"), "OK");
    EXPECT_EQ(cli_out(port, "GET greeting"), "hi");
    EXPECT_EQ(cli_out(port, "GET missing"), "");  // nil, in redis-cli's raw output
    EXPECT_EQ(cli_out(port, "SET greeting other NX"), "");
    EXPECT_EQ(cli_out(port, "SET fresh v XX"), "");
    EXPECT_EQ(cli_out(port, "SET greeting hello XX GET"), "hi");
    EXPECT_EQ(cli_out(port, "GET greeting"), "hello");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedis, SetWithExOrPxGivesATtlAndTheKeyExpires) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    int port = *server.port();

    EXPECT_EQ(cli_out(port, "SET session abc EX 100"), "OK");
    int ttl = std::atoi(cli_out(port, "TTL session").c_str());
    EXPECT_GT(ttl, 0);
    EXPECT_LE(ttl, 100);
    EXPECT_EQ(cli_out(port, "SET token xyz PX 50000"), "OK");
    int pttl = std::atoi(cli_out(port, "PTTL token").c_str());
    EXPECT_GT(pttl, 0);
    EXPECT_LE(pttl, 50000);
    EXPECT_EQ(cli_out(port, "SET plain v"), "OK");
    EXPECT_EQ(cli_out(port, "TTL plain"), "-1");
    EXPECT_EQ(cli_out(port, "TTL nothing"), "-2");
    EXPECT_EQ(cli_out(port, "SET plain v EX 0"), "ERR invalid expire time in 'set' command");
    EXPECT_EQ(cli_out(port, "SET plain v EX soon"), "ERR value is not an integer or out of range");
    EXPECT_EQ(cli_out(port, "SET plain v LATER"), "ERR syntax error");

    // A short deadline passes: the key is gone (lazily on GET, or purged).
    EXPECT_EQ(cli_out(port, "SET brief v PX 20"), "OK");
    std::string got = "v";
    for (int i = 0; i < 300 && got != ""; ++i) {
        std::this_thread::sleep_for(20ms);
        got = cli_out(port, "GET brief");
    }
    EXPECT_EQ(got, "");
    EXPECT_EQ(cli_out(port, "EXISTS brief"), "0");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedis, IncrCountsAndRefusesNonIntegers) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    int port = *server.port();

    EXPECT_EQ(cli_out(port, "INCR hits"), "1");
    EXPECT_EQ(cli_out(port, "INCR hits"), "2");
    EXPECT_EQ(cli_out(port, "INCRBY hits 40"), "42");
    EXPECT_EQ(cli_out(port, "DECR hits"), "41");
    EXPECT_EQ(cli_out(port, "SET name pollen"), "OK");
    EXPECT_EQ(cli_out(port, "INCR name"), "ERR value is not an integer or out of range");
    EXPECT_EQ(cli_out(port, "SET big 9223372036854775807"), "OK");
    EXPECT_EQ(cli_out(port, "INCR big"), "ERR increment or decrement would overflow");
    EXPECT_EQ(cli_out(port, "GET name"), "pollen");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedis, DelAndExistsCountKeys) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    int port = *server.port();

    EXPECT_EQ(cli_out(port, "SET a 1"), "OK");
    EXPECT_EQ(cli_out(port, "SET b 2"), "OK");
    EXPECT_EQ(cli_out(port, "EXISTS a b c a"), "3");
    EXPECT_EQ(cli_out(port, "DEL a c"), "1");
    EXPECT_EQ(cli_out(port, "EXISTS a"), "0");
    EXPECT_EQ(cli_out(port, "DBSIZE"), "1");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedis, ExpireSetsAndRemovesDeadlines) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    int port = *server.port();

    EXPECT_EQ(cli_out(port, "EXPIRE nothing 10"), "0");
    EXPECT_EQ(cli_out(port, "SET k v"), "OK");
    EXPECT_EQ(cli_out(port, "EXPIRE k 1000"), "1");
    int ttl = std::atoi(cli_out(port, "TTL k").c_str());
    EXPECT_GT(ttl, 0);
    EXPECT_LE(ttl, 1000);
    EXPECT_EQ(cli_out(port, "PERSIST k"), "1");
    EXPECT_EQ(cli_out(port, "TTL k"), "-1");
    EXPECT_EQ(cli_out(port, "EXPIRE k -1"), "1");  // a deadline in the past deletes
    EXPECT_EQ(cli_out(port, "TTL k"), "-2");
    EXPECT_EQ(cli_out(port, "EXPIRE k x"), "ERR value is not an integer or out of range");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedis, UnknownCommandsAndWrongArityAreErrors) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    int port = *server.port();

    CommandRun r = cli(port, "FROBNICATE a b");
    EXPECT_PRINTS(r, "ERR unknown command 'FROBNICATE', with args beginning with: 'a' 'b'");
    EXPECT_EQ(cli_out(port, "GET"), "ERR wrong number of arguments for 'get' command");
    EXPECT_EQ(cli_out(port, "PING"), "PONG");  // the server is unharmed
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

// ---------------------------------------------------------------- pub/sub

TEST(SamplesMiniRedis, PublishReachesSubscribersAndCountsThem) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    int port = *server.port();

    EXPECT_EQ(cli_out(port, "PUBLISH news nobody"), "0");

    Client a(port), b(port);
    ASSERT_TRUE(a.connected() && b.connected());
    ASSERT_TRUE(a.send(command({"SUBSCRIBE", "news", "sport"})));
    EXPECT_EQ(a.recv_until(":2\r\n"),
              "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n");
    ASSERT_TRUE(b.send(command({"SUBSCRIBE", "news"})));
    EXPECT_EQ(b.recv_until(":1\r\n"), "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");

    EXPECT_EQ(cli_out(port, "PUBLISH news 'hello all'"), "2");
    const std::string msg = "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$9\r\nhello all\r\n";
    EXPECT_EQ(a.recv_n(msg.size()), msg);
    EXPECT_EQ(b.recv_n(msg.size()), msg);
    EXPECT_EQ(cli_out(port, "PUBLISH sport goal"), "1");
    const std::string goal = "*3\r\n$7\r\nmessage\r\n$5\r\nsport\r\n$4\r\ngoal\r\n";
    EXPECT_EQ(a.recv_n(goal.size()), goal);

    // Subscribed mode: only (UN)SUBSCRIBE, PING and QUIT.
    ASSERT_TRUE(a.send(command({"GET", "x"})));
    EXPECT_EQ(a.recv_until("\r\n").rfind("-ERR Can't execute 'get'", 0), 0u);
    ASSERT_TRUE(a.send(command({"PING"})));
    EXPECT_EQ(a.recv_until("$0\r\n\r\n"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    ASSERT_TRUE(a.send(command({"UNSUBSCRIBE", "news"})));
    EXPECT_EQ(a.recv_until(":1\r\n"), "*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:1\r\n");
    EXPECT_EQ(cli_out(port, "PUBLISH news again"), "1");  // only b now
    const std::string again = "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nagain\r\n";
    EXPECT_EQ(b.recv_n(again.size()), again);

    // A subscriber that goes away is no longer counted.
    ASSERT_TRUE(b.send(command({"QUIT"})));
    EXPECT_EQ(b.recv_to_end(), "+OK\r\n");
    std::string count = "1";
    for (int i = 0; i < 300 && count != "0"; ++i) {
        count = cli_out(port, "PUBLISH news later");
        if (count != "0") std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(count, "0");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedis, RedisCliSubscriberGetsPublishedMessages) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    int port = *server.port();

    // redis-cli SUBSCRIBE never ends by itself: run it in the background
    // until a publish finds it, then read what it printed.
    std::string file = ::testing::TempDir() + "mini_redis_sub_" + std::to_string(::getpid()) + ".txt";
    std::string sub = "timeout 60 redis-cli -p " + std::to_string(port) + " SUBSCRIBE alerts > " + file + " 2>&1 &";
    ASSERT_EQ(std::system(sub.c_str()), 0);
    std::string receivers = "0";
    for (int i = 0; i < 500 && receivers == "0"; ++i) {
        receivers = cli_out(port, "PUBLISH alerts 'disk full'");
        if (receivers == "0") std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(receivers, "1");
    CommandRun printed;
    for (int i = 0; i < 500 && printed.output.find("disk full") == std::string::npos; ++i) {
        std::this_thread::sleep_for(20ms);
        printed = run_command("cat " + file);
    }
    EXPECT_PRINTS(printed, "subscribe\nalerts\n1\nmessage\nalerts\ndisk full\n");
    // Stopping the server ends the subscriber (its connection closes).
    EXPECT_EQ(server.stop(SIGTERM), 0);
    std::remove(file.c_str());
}

// ---------------------------------------------------------------- raw protocol

TEST(SamplesMiniRedis, PipelinedRequestsAreAnsweredInOrder) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    Client c(*server.port());
    ASSERT_TRUE(c.connected());

    std::string batch = command({"SET", "p", "1"}) + command({"INCR", "p"}) + command({"GET", "p"}) +
                        command({"DEL", "p"}) + command({"GET", "p"}) + "PING\r\nECHO \"inline\"\n";
    ASSERT_TRUE(c.send(batch));
    const std::string want = "+OK\r\n:2\r\n$1\r\n2\r\n:1\r\n$-1\r\n+PONG\r\n$6\r\ninline\r\n";
    EXPECT_EQ(c.recv_n(want.size()), want);

    // A request split across many writes, byte by byte.
    std::string slow = command({"SET", "slow", "value"});
    for (char ch : slow) ASSERT_TRUE(c.send(std::string(1, ch)));
    EXPECT_EQ(c.recv_n(5), "+OK\r\n");

    // A thousand requests in one write: a thousand answers, in order.
    std::string many, expect;
    for (int i = 1; i <= 1000; ++i) {
        many += command({"INCR", "n"});
        expect += ":" + std::to_string(i) + "\r\n";
    }
    ASSERT_TRUE(c.send(many));
    EXPECT_EQ(c.recv_n(expect.size()), expect);
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedis, LargeValuesRoundTrip) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    Client c(*server.port());
    ASSERT_TRUE(c.connected());

    // Over 1 MiB: past the initial input buffer and the reply high-water mark.
    std::string big((1 << 20) + 12345, 'x');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
    std::thread writer([&] { c.send(command({"SET", "big", big}) + command({"GET", "big"})); });
    EXPECT_EQ(c.recv_n(5), "+OK\r\n");
    std::string header = "$" + std::to_string(big.size()) + "\r\n";
    EXPECT_EQ(c.recv_n(header.size()), header);
    EXPECT_EQ(c.recv_n(big.size() + 2), big + "\r\n");
    writer.join();
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedis, ProtocolErrorsCloseOnlyTheirConnection) {
    ServerProcess server("mini_redis", {"--port", "0", "--max-bulk", "4096"});
    ASSERT_TRUE(server.port());
    int port = *server.port();
    Client bystander(port);
    ASSERT_TRUE(bystander.connected());

    struct Case {
        std::string send, reply;
    };
    std::vector<Case> cases = {
        {"*1\r\n$5000\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
        {"*1\r\n$99999999999999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
        {"*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
        {"*1\r\n:5\r\n", "-ERR Protocol error: expected '$', got ':'\r\n"},
        {std::string(70 * 1024, 'a'), "-ERR Protocol error: too big inline request\r\n"},
        {"SET k \"unterminated\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
    };
    for (const auto& k : cases) {
        Client bad(port);
        ASSERT_TRUE(bad.connected());
        // A request before the bad one is still answered.
        ASSERT_TRUE(bad.send(command({"PING"}) + k.send));
        EXPECT_EQ(bad.recv_to_end(), "+PONG\r\n" + k.reply) << k.send.substr(0, 40);
    }
    // The bounded limit is the flag's: a value of exactly --max-bulk is fine.
    std::string fits(4096, 'v');
    ASSERT_TRUE(bystander.send(command({"SET", "k", fits}) + command({"STRLEN-IS-UNKNOWN"}) + command({"PING"})));
    std::string replies = bystander.recv_until("+PONG\r\n");
    EXPECT_EQ(replies.substr(0, 5), "+OK\r\n");
    EXPECT_NE(replies.find("-ERR unknown command 'STRLEN-IS-UNKNOWN'"), std::string::npos) << replies;

    EXPECT_EQ(cli_out(port, "PING"), "PONG");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedis, QuitRepliesAndCloses) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    Client c(*server.port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(command({"CLIENT", "SETNAME", "tester"}) + command({"CLIENT", "GETNAME"}) +
                       command({"QUIT"}) + command({"PING"})));
    EXPECT_EQ(c.recv_to_end(), "+OK\r\n$6\r\ntester\r\n+OK\r\n");  // nothing after QUIT
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

// ---------------------------------------------------------------- redis-benchmark and shutdown

TEST(SamplesMiniRedis, RedisBenchmarkRunsAgainstIt) {
    ServerProcess server("mini_redis", {"--port", "0", "--threads", "2"});
    ASSERT_TRUE(server.port());
    std::string base = "redis-benchmark -p " + std::to_string(*server.port()) + " -t set,get,incr -n 20000 -c 20 -q";

    CommandRun plain = run_command(base, 300);
    EXPECT_EQ(plain.status, 0) << plain.output;
    EXPECT_PRINTS(plain, "SET: ");
    EXPECT_PRINTS(plain, "GET: ");
    EXPECT_PRINTS(plain, "INCR: ");
    EXPECT_PRINTS(plain, "requests per second");

    CommandRun piped = run_command(base + " -P 16", 300);
    EXPECT_EQ(piped.status, 0) << piped.output;
    EXPECT_PRINTS(piped, "INCR: ");
    EXPECT_PRINTS(piped, "requests per second");

    // redis-benchmark's counter:__rand_int__ keys all hold integers now.
    EXPECT_NE(cli_out(*server.port(), "DBSIZE"), "0");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedis, SigtermWithClientsConnectedExitsZero) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    int port = *server.port();
    Client idle(port), subscriber(port);
    ASSERT_TRUE(idle.connected() && subscriber.connected());
    ASSERT_TRUE(idle.send(command({"PING"})));
    EXPECT_EQ(idle.recv_n(7), "+PONG\r\n");
    ASSERT_TRUE(subscriber.send(command({"SUBSCRIBE", "c"})));
    EXPECT_EQ(subscriber.recv_until(":1\r\n"), "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");

    EXPECT_EQ(server.stop(SIGTERM), 0);
    EXPECT_TRUE(idle.peer_closed());
    EXPECT_TRUE(subscriber.peer_closed());
}

TEST(SamplesMiniRedis, SigintExitsZero) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    EXPECT_EQ(cli_out(*server.port(), "SET k v"), "OK");
    EXPECT_EQ(server.stop(SIGINT), 0);
}

// ---------------------------------------------------------------- the client, and hello_redis

namespace {

/// A runtime whose block_on drives each client call, as a synchronous caller would.
pollen::Runtime client_runtime() { return pollen::Runtime::builder().worker_threads(1).enable_all().build(); }

std::string loopback(int port) { return "127.0.0.1:" + std::to_string(port); }

/// A server for one connection that answers its first request with `reply`,
/// shuts its side down and reads until the client closes (10 s at most).
class CannedServer {
public:
    explicit CannedServer(std::string reply) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 1) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            return;
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this, reply = std::move(reply)] {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 10'000) <= 0) return;
            int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn < 0) return;
            char buf[4096];
            pollfd c{conn, POLLIN, 0};
            if (::poll(&c, 1, 10'000) > 0 && ::recv(conn, buf, sizeof buf, 0) > 0) {
                (void)::send(conn, reply.data(), reply.size(), MSG_NOSIGNAL);
                ::shutdown(conn, SHUT_WR);
                while (::poll(&c, 1, 10'000) > 0 && ::recv(conn, buf, sizeof buf, 0) > 0) {
                }
            }
            ::close(conn);
        });
    }
    ~CannedServer() {
        if (thread_.joinable()) thread_.join();
        ::close(fd_);
    }

    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = -1;
    std::thread thread_;
};

/// SET, GET and GET of a missing key through the client, against the server on `port`.
void expect_set_get_round_trip(int port) {
    pollen::Runtime rt = client_runtime();
    auto client = rt.block_on(mini_redis::connect(loopback(port)));
    ASSERT_TRUE(client.is_ok()) << client.error().message();

    auto set = rt.block_on(client->set("greeting", std::string("hello\r\n\0world", 13)));
    ASSERT_TRUE(set.is_ok()) << set.error().message();
    auto got = rt.block_on(client->get("greeting"));
    ASSERT_TRUE(got.is_ok()) << got.error().message();
    EXPECT_EQ(*got, std::optional<std::string>(std::string("hello\r\n\0world", 13)));

    auto missing = rt.block_on(client->get("no such key"));
    ASSERT_TRUE(missing.is_ok()) << missing.error().message();
    EXPECT_EQ(*missing, std::nullopt);
    EXPECT_EQ(cli_out(port, "GET greeting"), std::string("hello\r\n\0world", 13));
}

}  // namespace

TEST(SamplesMiniRedisClient, SetThenGetRoundTripsAgainstMiniRedis) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    expect_set_get_round_trip(*server.port());
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedisClient, SetThenGetRoundTripsAgainstRedis) {
    RedisServer redis;
    ASSERT_GT(redis.port(), 0) << "could not start redis-server";
    expect_set_get_round_trip(redis.port());
}

TEST(SamplesMiniRedisClient, PublishCountsTheSubscribersReached) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    int port = *server.port();
    pollen::Runtime rt = client_runtime();
    auto client = rt.block_on(mini_redis::connect(loopback(port)));
    ASSERT_TRUE(client.is_ok());

    auto nobody = rt.block_on(client->publish("news", "hello"));
    ASSERT_TRUE(nobody.is_ok());
    EXPECT_EQ(*nobody, 0u);

    pollen::test_support::Client subscriber(port);
    ASSERT_TRUE(subscriber.send(command({"SUBSCRIBE", "news"})));
    EXPECT_EQ(subscriber.recv_until(":1\r\n"), "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
    auto one = rt.block_on(client->publish("news", "hello"));
    ASSERT_TRUE(one.is_ok());
    EXPECT_EQ(*one, 1u);
    const std::string msg = "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n";
    EXPECT_EQ(subscriber.recv_n(msg.size()), msg);
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedisClient, ErrorReplyFromMiniRedisIsAnErrorWithTheServersText) {
    ServerProcess server("mini_redis", {"--port", "0", "--max-bulk", "16"});
    ASSERT_TRUE(server.port());
    pollen::Runtime rt = client_runtime();
    auto client = rt.block_on(mini_redis::connect(loopback(*server.port())));
    ASSERT_TRUE(client.is_ok());

    auto set = rt.block_on(client->set("k", std::string(17, 'v')));
    ASSERT_TRUE(set.is_err());
    EXPECT_EQ(set.error(), mini_redis::errc::server_error);
    EXPECT_EQ(client->last_error(), "ERR Protocol error: invalid bulk length");
    // A protocol error closes the connection: the next call fails too.
    auto after = rt.block_on(client->get("k"));
    EXPECT_TRUE(after.is_err());
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesMiniRedisClient, ErrorReplyFromRedisIsAnErrorAndTheConnectionGoesOn) {
    RedisServer redis;
    ASSERT_GT(redis.port(), 0) << "could not start redis-server";
    EXPECT_EQ(cli_out(redis.port(), "RPUSH list a"), "1");
    pollen::Runtime rt = client_runtime();
    auto client = rt.block_on(mini_redis::connect(loopback(redis.port())));
    ASSERT_TRUE(client.is_ok());

    auto got = rt.block_on(client->get("list"));
    ASSERT_TRUE(got.is_err());
    EXPECT_EQ(got.error(), mini_redis::errc::server_error);
    EXPECT_EQ(client->last_error().rfind("WRONGTYPE ", 0), 0u) << client->last_error();
    auto set = rt.block_on(client->set("k", "v"));
    EXPECT_TRUE(set.is_ok());
    auto published = rt.block_on(client->publish("nobody", "x"));
    ASSERT_TRUE(published.is_ok());
    EXPECT_EQ(*published, 0u);
}

TEST(SamplesMiniRedisClient, RepliesThatAreNotRespOrNotTheCommandsAreErrors) {
    struct Case {
        std::string reply;
        std::error_code want;
    };
    const std::vector<Case> cases = {
        {":1\r\n", mini_redis::errc::unexpected_reply},                   // GET answered with an integer
        {"!oops\r\n", mini_redis::errc::protocol_error},                  // not RESP
        {"$5\r\nab", std::make_error_code(std::errc::connection_reset)},  // the server left mid-reply
    };
    for (const auto& k : cases) {
        CannedServer canned(k.reply);
        ASSERT_GT(canned.port(), 0);
        pollen::Runtime rt = client_runtime();
        auto client = rt.block_on(mini_redis::connect(loopback(canned.port())));
        ASSERT_TRUE(client.is_ok());
        auto got = rt.block_on(client->get("k"));
        ASSERT_TRUE(got.is_err()) << k.reply;
        EXPECT_EQ(got.error(), k.want) << k.reply;
        if (k.want == mini_redis::errc::protocol_error) {
            EXPECT_EQ(client->last_error(), "Protocol error: unexpected type byte '!'");
        }
    }
    // Both mini_redis kinds are protocol errors to callers that only know std::errc.
    EXPECT_EQ(std::error_code(mini_redis::errc::unexpected_reply), std::errc::protocol_error);
    EXPECT_EQ(std::error_code(mini_redis::errc::protocol_error), std::errc::protocol_error);
    EXPECT_NE(std::error_code(mini_redis::errc::server_error), std::errc::protocol_error);
}

TEST(SamplesMiniRedisClient, ConnectToAClosedPortIsAnError) {
    pollen::Runtime rt = client_runtime();
    auto client = rt.block_on(mini_redis::connect(loopback(free_port())));
    ASSERT_TRUE(client.is_err());
    EXPECT_EQ(client.error(), std::errc::connection_refused);
}

TEST(SamplesHelloRedis, PrintsTheValueItSetThroughMiniRedis) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    CommandRun run = run_sample("hello_redis", "--port " + std::to_string(*server.port()));
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_EQ(run.output, "got value from the server; result=world\n");
    EXPECT_EQ(cli_out(*server.port(), "GET hello"), "world");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SamplesHelloRedis, ExitsOneWhenNoServerListens) {
    CommandRun run = run_sample("hello_redis", "--port " + std::to_string(free_port()));
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_PRINTS(run, "hello_redis: ");
}
