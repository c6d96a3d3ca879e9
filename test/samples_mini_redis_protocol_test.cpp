// The mini_redis sample's connection side, under load and against Redis:
// the incremental request parser and the query-buffer accounting of its
// codec (in process, with the parser's work counter instead of a clock),
// then the server ($POLLEN_BUILD/samples/mini_redis) over raw sockets: the
// output-buffer limits (a subscriber that stops reading), what a
// subscription costs, the query-buffer limits, and the replies of the
// pattern subscriptions, PUBSUB and HELLO, compared byte for byte with a
// real redis-server 7 when one can be started (the test is skipped
// otherwise). Waits have generous limits that only turn a hang into a
// failure; the one sleep lets a soft limit's seconds pass, and nothing
// asserts how long anything took.
#include "../samples/mini_redis/resp.hpp"
#include "../samples/mini_redis/resp_codec.hpp"
#include "support/redis_server.hpp"
#include "support/sample_process.hpp"

#include <sys/socket.h>

#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>
#include "support/sanitizer.hpp"

namespace {

using namespace std::chrono_literals;
using namespace pollen::test_support;
using pollen::codec::BytesMut;

std::string command(const std::vector<std::string>& args) {
    std::string out;
    resp::append_command(out, args);
    return out;
}

using pollen::test::kSanitized;  // memory bounds are not checked there, only behaviour

/// The resident memory of a process, in KiB (-1 if unknown).
long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

/// A subscriber's receive buffer in the tests of slow subscribers.
constexpr int kWindow = 256 << 10;

/// A client that reads whole replies: what it received and has not
/// handed out yet stays for the next call.
class Peer {
public:
    explicit Peer(int port, int rcvbuf = 0) : c_(port, rcvbuf) {}
    bool connected() const { return c_.connected(); }
    bool send(const std::string& bytes) { return c_.send(bytes); }

    /// The next `n` replies, as the bytes they came as ("" and what came,
    /// if the peer closed first).
    std::string replies(std::size_t n) {
        std::size_t at = 0;
        for (std::size_t done = 0; done < n;) {
            auto p = resp::parse_value(std::string_view(buf_).substr(at));
            if (p.complete()) {
                at += p.consumed;
                ++done;
            } else if (p.failed() || !fill()) {
                return "<cut> " + std::exchange(buf_, {});
            }
        }
        std::string out = buf_.substr(0, at);
        buf_.erase(0, at);
        return out;
    }

    /// Reads until the peer closes; the number of bytes that came.
    std::size_t drain() {
        std::size_t n = buf_.size();
        buf_.clear();
        while (fill()) {
            n += buf_.size();
            buf_.clear();
        }
        return n;
    }

private:
    bool fill() {
        char chunk[65536];
        ssize_t r = ::recv(c_.fd(), chunk, sizeof chunk, 0);
        if (r <= 0) return false;
        buf_.append(chunk, static_cast<std::size_t>(r));
        return true;
    }

    Client c_;
    std::string buf_;
};

/// One step of a script: client `who` sends `commands`, then reads `replies` replies.
struct Step {
    int who;
    std::vector<std::vector<std::string>> commands;
    std::size_t replies;
};

/// What each step's client received, one line per step.
std::string run_script(int port, int clients, const std::vector<Step>& steps) {
    std::vector<std::unique_ptr<Peer>> peers;
    for (int i = 0; i < clients; ++i) peers.push_back(std::make_unique<Peer>(port));
    std::string transcript;
    for (const Step& s : steps) {
        std::string bytes;
        for (const auto& c : s.commands) bytes += command(c);
        if (!bytes.empty()) peers[s.who]->send(bytes);
        transcript += std::to_string(s.who) + ": " + peers[s.who]->replies(s.replies) + "\n";
    }
    return transcript;
}

/// HELLO's server version and connection id differ between servers by nature.
std::string without_version_and_id(const std::string& s) {
    std::string out = std::regex_replace(s, std::regex("\\$\\d+\r\n7\\.\\d+\\.\\d+\r\n"), "<version>");
    return std::regex_replace(out, std::regex("\\$2\r\nid\r\n:\\d+\r\n"), "<id>");
}

}  // namespace

// ---------------------------------------------------------------- the codec

TEST(MiniRedisProtocol, ALargeRequestFedByteByByteIsParsedInLinearWork) {
    std::vector<std::string> args{"SADD", "set"};
    for (int i = 0; i < 100'000; ++i) args.push_back("member:" + std::to_string(i));
    const std::string request = command(args);

    mini_redis::ServerCodec codec;
    BytesMut buf;
    std::size_t most_buffered = 0;
    std::optional<resp::Command> got;
    for (char byte : request) {
        buf.extend_from_slice(std::string_view(&byte, 1));
        auto r = codec.decode(buf);
        ASSERT_TRUE(r.is_ok()) << r.error().message;
        most_buffered = std::max(most_buffered, buf.size());
        if (r->has_value()) got = std::move(**r);
    }
    ASSERT_TRUE(got);
    EXPECT_EQ(got->args, args);
    // Each byte is looked at a bounded number of times, however the bytes
    // come: re-parsing from the start on each read would be quadratic.
    EXPECT_LE(codec.parser().work(), 2 * request.size());
    // The arguments leave the buffer as they complete.
    EXPECT_LE(most_buffered, 32u);
}

TEST(MiniRedisProtocol, TheCodecCountsItsQueryBufferAgainstTheClientAndTotalLimits) {
    mini_redis::QueryBuffers buffers;
    buffers.per_client = 1 << 20;
    const std::string head = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n";
    {
        mini_redis::ServerCodec codec({}, &buffers);
        BytesMut buf{std::string_view(head)};
        bool failed = false;
        for (int i = 0; i < 40 && !failed; ++i) {  // 64 KiB at a time, up to 2.5 MiB
            buf.extend_from_slice(std::string(64 << 10, 'v'));
            auto r = codec.decode(buf);
            if (r.is_err()) {
                EXPECT_EQ(r.error().code, mini_redis::errc::query_buffer_limit);
                EXPECT_EQ(r.error().code, std::errc::no_buffer_space);
                EXPECT_GT(buf.size() + 2 * sizeof(std::string) + 4, 1u << 20) << "the buffer and SET, k";
                failed = true;
            } else {
                EXPECT_EQ(buffers.used.load(), buf.size() + 2 * sizeof(std::string) + 4) << "the buffer and SET, k";
            }
        }
        EXPECT_TRUE(failed) << "2 MiB buffered under a 1 MiB limit";
        EXPECT_EQ(buffers.used.load(), 0u) << "a client being closed counts no more";
    }
    {
        mini_redis::ServerCodec codec({}, &buffers);
        BytesMut buf(std::string_view(head + "abc"));
        ASSERT_TRUE(codec.decode(buf).is_ok());
        EXPECT_GT(buffers.used.load(), 0u);
    }
    EXPECT_EQ(buffers.used.load(), 0u) << "a codec gives its share back when it goes";

    // The total: whichever codec takes the sum past it fails, the other goes on.
    buffers.per_client = std::size_t{1} << 30;
    buffers.total = 3 << 20;
    mini_redis::ServerCodec a({}, &buffers), b({}, &buffers);
    BytesMut abuf{std::string_view(head)}, bbuf{std::string_view(head)};
    abuf.extend_from_slice(std::string(1'900'000, 'a'));
    ASSERT_TRUE(a.decode(abuf).is_ok());
    bbuf.extend_from_slice(std::string(1'500'000, 'b'));
    auto r = b.decode(bbuf);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error().code, mini_redis::errc::query_buffer_limit);
    abuf.extend_from_slice(std::string(100'000, 'a') + "\r\n");
    auto done = a.decode(abuf);
    ASSERT_TRUE(done.is_ok() && done->has_value());
    EXPECT_EQ((**done).args[2].size(), 2'000'000u);
}

// ---------------------------------------------------------------- output-buffer limits

TEST(MiniRedisProtocol, ASubscriberThatStopsReadingIsDroppedPastTheHardLimit) {
    ServerProcess server("mini_redis", {"--port", "0", "--client-output-buffer-limit", "pubsub 1mb 0 0"});
    ASSERT_TRUE(server.port());
    // A fixed receive window (no autotuning up to tcp_rmem's 32 MiB): the
    // messages pile up in the server. Not smaller than two loopback
    // segments, or the window opens too slowly for reading them later.
    Peer subscriber(*server.port(), kWindow);
    ASSERT_TRUE(subscriber.send(command({"SUBSCRIBE", "c"})));
    EXPECT_EQ(subscriber.replies(1), "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");

    // 100 messages of 1 MiB: a server that kept them for the subscriber
    // would grow by 100 MiB.
    const long before = rss_kib(server.pid());
    Peer publisher(*server.port());
    const std::string publish = command({"PUBLISH", "c", std::string(1 << 20, 'm')});
    long peak = before;
    int dropped_at = -1;
    for (int i = 0; i < 100; ++i) {
        ASSERT_TRUE(publisher.send(publish));
        if (publisher.replies(1) == ":0\r\n" && dropped_at < 0) dropped_at = i;
        peak = std::max(peak, rss_kib(server.pid()));
    }
    ASSERT_GE(dropped_at, 0) << "the subscriber was never dropped";
    if (!kSanitized) {
        EXPECT_LT(peak - before, 64 * 1024) << "KiB grown while publishing";
    }

    // It receives what was on its way, then the end: far from all of it.
    EXPECT_LT(subscriber.drain(), std::size_t{50} << 20);
    ASSERT_TRUE(publisher.send(command({"PUBSUB", "NUMSUB", "c"})));
    EXPECT_EQ(publisher.replies(1), "*2\r\n$1\r\nc\r\n:0\r\n");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(MiniRedisProtocol, ASubscriberAboveTheSoftLimitForLongerThanItsSecondsIsDropped) {
    ServerProcess server("mini_redis", {"--port", "0", "--client-output-buffer-limit", "pubsub 0 256kb 1"});
    ASSERT_TRUE(server.port());
    Peer subscriber(*server.port(), kWindow);
    ASSERT_TRUE(subscriber.send(command({"SUBSCRIBE", "c"})));
    EXPECT_EQ(subscriber.replies(1), "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");

    // 16 MiB, more than the socket buffers take: the rest waits in the server.
    Peer publisher(*server.port());
    const std::string publish = command({"PUBLISH", "c", std::string(64 << 10, 'm')});
    for (int i = 0; i < 256; ++i) {
        ASSERT_TRUE(publisher.send(publish));
        publisher.replies(1);
    }
    std::this_thread::sleep_for(1500ms);  // past the soft limit's second
    std::string reply;
    for (int i = 0; i < 3 && reply != ":0\r\n"; ++i) {
        ASSERT_TRUE(publisher.send(publish));
        reply = publisher.replies(1);
    }
    EXPECT_EQ(reply, ":0\r\n") << "still subscribed after its soft seconds";
    EXPECT_LT(subscriber.drain(), std::size_t{16} << 20);
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(MiniRedisProtocol, ASlowSubscriberWithinItsLimitsGetsEveryMessage) {
    // No hard limit and an hour of soft limit: 16 MiB wait for it, and all arrive.
    ServerProcess server("mini_redis", {"--port", "0", "--client-output-buffer-limit", "pubsub 0 256kb 3600"});
    ASSERT_TRUE(server.port());
    Peer subscriber(*server.port(), kWindow);
    ASSERT_TRUE(subscriber.send(command({"SUBSCRIBE", "c"})));
    EXPECT_EQ(subscriber.replies(1), "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
    Peer publisher(*server.port());
    const std::string message(64 << 10, 'm');
    const std::string publish = command({"PUBLISH", "c", message});
    for (int i = 0; i < 256; ++i) {
        ASSERT_TRUE(publisher.send(publish));
        ASSERT_EQ(publisher.replies(1), ":1\r\n");
    }
    const std::string one = "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$65536\r\n" + message + "\r\n";
    std::string all;
    for (int i = 0; i < 256; ++i) all += subscriber.replies(1);
    EXPECT_EQ(all.size(), 256 * one.size());
    EXPECT_EQ(all.substr(0, one.size()), one);
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(MiniRedisProtocol, TheNormalClassLimitsRepliesAndConfigSetChangesIt) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    Peer admin(*server.port());
    ASSERT_TRUE(admin.send(command({"CONFIG", "GET", "client-output-buffer-limit"})));
    EXPECT_EQ(admin.replies(1),
              "*2\r\n$26\r\nclient-output-buffer-limit\r\n$67\r\nnormal 0 0 0 slave 268435456 67108864 60 pubsub "
              "33554432 8388608 60\r\n");
    ASSERT_TRUE(admin.send(command({"SET", "big", std::string(2'000'000, 'x')}) +
                           command({"CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0"}) +
                           command({"CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0"}) +
                           command({"CONFIG", "SET", "client-output-buffer-limit", "weird 1 2 3"})));
    EXPECT_EQ(admin.replies(4),
              "+OK\r\n+OK\r\n"
              "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of "
              "arguments in buffer limit configuration.\r\n"
              "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client "
              "class specified in buffer limit configuration.\r\n");

    // A 2 MB reply passes the 1mb hard limit: the client is closed, as Redis closes it.
    Peer reader(*server.port());
    ASSERT_TRUE(reader.send(command({"GET", "big"})));
    EXPECT_EQ(reader.drain(), 0u);
    ASSERT_TRUE(admin.send(command({"CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0"})));
    EXPECT_EQ(admin.replies(1), "+OK\r\n");
    Peer again(*server.port());
    ASSERT_TRUE(again.send(command({"GET", "big"})));
    EXPECT_EQ(again.replies(1).size(), 2'000'000u + 12);
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

// ---------------------------------------------------------------- subscriptions

TEST(MiniRedisProtocol, TenThousandChannelsCostBytesEach) {
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    std::vector<std::string> subscribe{"SUBSCRIBE"};
    for (int i = 0; i < 10'000; ++i) subscribe.push_back("channel:" + std::to_string(i));
    Peer subscriber(*server.port());
    const long before = rss_kib(server.pid());
    ASSERT_TRUE(subscriber.send(command(subscribe)));
    std::string confirmations = subscriber.replies(10'000);
    EXPECT_NE(confirmations.find("$12\r\nchannel:9999\r\n:10000\r\n"), std::string::npos) << "the last one";
    // A broadcast channel per subscription took some 30 KiB each (300 MiB
    // here); a registry entry takes some hundred bytes.
    if (!kSanitized) {
        EXPECT_LT(rss_kib(server.pid()) - before, 20 * 1024) << "KiB for 10,000 channels";
    }

    Peer publisher(*server.port());
    ASSERT_TRUE(publisher.send(command({"PUBLISH", "channel:77", "hi"}) +
                               command({"PUBSUB", "NUMSUB", "channel:0", "channel:9999", "channel:10000"})));
    EXPECT_EQ(publisher.replies(2),
              ":1\r\n*6\r\n$9\r\nchannel:0\r\n:1\r\n$12\r\nchannel:9999\r\n:1\r\n$13\r\nchannel:10000\r\n:0\r\n");
    EXPECT_EQ(subscriber.replies(1), "*3\r\n$7\r\nmessage\r\n$10\r\nchannel:77\r\n$2\r\nhi\r\n");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

// The same script against redis-server and mini_redis: pattern
// subscriptions (Redis's glob: *, ?, [set], [^set], [a-z] either way, \x),
// their pmessage pushes, the counts, PUBSUB and its errors, the
// subscribed-mode restriction.
TEST(MiniRedisProtocol, PatternSubscriptionsAndPubsubAnswerAsRedisDoes) {
    RedisServer redis;
    if (redis.port() < 0) GTEST_SKIP() << "redis-server could not be started";
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    const std::vector<Step> script = {
        {0, {{"PSUBSCRIBE", "n*", "h?llo", "[ab]c"}, {"SUBSCRIBE", "news"}, {"PSUBSCRIBE", "n*"}}, 5},
        {1, {{"PSUBSCRIBE", "*"}}, 1},
        {3, {{"PSUBSCRIBE", "h\\*", "[^x]y", "[c-a]z"}}, 3},
        {2,
         {{"PUBLISH", "news", "hi"},
          {"PUBLISH", "hallo", "x"},
          {"PUBLISH", "zzz", "y"},
          {"PUBLISH", "h*", "1"},
          {"PUBLISH", "ay", "2"},
          {"PUBLISH", "xy", "3"},
          {"PUBLISH", "bz", "4"},
          {"PUBSUB", "NUMPAT"},
          {"PUBSUB", "CHANNELS"},
          {"PUBSUB", "CHANNELS", "n*"},
          {"PUBSUB", "NUMSUB", "news", "nope"},
          {"PUBSUB", "NUMSUB"},
          {"PUBSUB"},
          {"PUBSUB", "foo"},
          {"PUBSUB", "CHANNELS", "a", "b"},
          {"PUBSUB", "NUMPAT", "x"},
          {"PUBSUB", "HELP"},
          {"PUBSUB", "help", "x"},
          {"PUBSUB", "SHARDCHANNELS"},
          {"PUBSUB", "SHARDNUMSUB", "x"},
          {"PUBSUB", "nUmPaT"}},
         21},
        {0, {}, 3},  // message news, pmessage n* news, pmessage h?llo hallo
        {1, {}, 7},  // every channel through *
        {3, {}, 3},  // h* through h\*, ay through [^x]y, bz through [c-a]z
        {0,
         {{"PUNSUBSCRIBE", "h?llo", "nothere"},
          {"GET", "x"},
          {"PUNSUBSCRIBE"},
          {"UNSUBSCRIBE"},
          {"PUNSUBSCRIBE"},
          {"UNSUBSCRIBE", "x"},
          {"PING"},
          {"PING", "a"}},
         10},
        {2, {{"PSUBSCRIBE"}, {"PUNSUBSCRIBE"}, {"UNSUBSCRIBE"}, {"SUBSCRIBE", "a", "a"}, {"PING"}, {"PING", "p"}}, 7},
        {1, {{"PUBLISH", "a", "from a subscriber"}}, 1},
    };
    const std::string want = run_script(redis.port(), 4, script);
    EXPECT_EQ(run_script(*server.port(), 4, script), want);
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(MiniRedisProtocol, HelloAnswersAsRedis7DoesAndRefusesResp3) {
    RedisServer redis;
    if (redis.port() < 0) GTEST_SKIP() << "redis-server could not be started";
    ServerProcess server("mini_redis");
    ASSERT_TRUE(server.port());
    const std::vector<Step> script = {
        {0,
         {{"HELLO"},
          {"HELLO", "2"},
          {"hello", "2", "setname", "first", "SETNAME", "second"},
          {"CLIENT", "GETNAME"},
          {"HELLO", "2", "SETNAME", ""},
          {"CLIENT", "GETNAME"},
          {"HELLO", "2", "AUTH", "default", "anything"},
          {"HELLO", "2", "AUTH", "someone", "secret"},
          {"HELLO", "2", "AUTH", "default"},
          {"HELLO", "2", "SETNAME"},
          {"HELLO", "2", "SETNAME", "a b"},
          {"HELLO", "2", "bogus"},
          {"HELLO", "1"},
          {"HELLO", "4"},
          {"HELLO", "-1"},
          {"HELLO", "x"},
          {"HELLO", "02"},
          {"HELLO", "2.0"},
          {"HELLO", "99999999999999999999"},
          {"SUBSCRIBE", "c"},
          {"HELLO"}},
         21},
    };
    EXPECT_EQ(without_version_and_id(run_script(*server.port(), 1, script)),
              without_version_and_id(run_script(redis.port(), 1, script)));

    // Redis 7 speaks RESP3 too; mini_redis answers HELLO 3 as Redis answers
    // a protocol version it does not know, and stays in RESP2.
    Peer c(*server.port());
    ASSERT_TRUE(c.send(command({"HELLO", "3"}) + command({"HELLO", "3", "SETNAME", "x"}) + command({"PING"})));
    EXPECT_EQ(c.replies(3),
              "-NOPROTO unsupported protocol version\r\n-NOPROTO unsupported protocol version\r\n+PONG\r\n");
    ASSERT_TRUE(c.send(command({"HELLO"})));
    EXPECT_EQ(without_version_and_id(c.replies(1)),
              "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n<version>$5\r\nproto\r\n:2\r\n<id>"
              "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

// ---------------------------------------------------------------- query-buffer limits

TEST(MiniRedisProtocol, AClientPastItsQueryBufferLimitIsClosedWithoutAReplyAsRedisCloses) {
    ServerProcess server("mini_redis", {"--port", "0", "--client-query-buffer-limit", "1mb"});
    ASSERT_TRUE(server.port());
    RedisServer redis;
    std::vector<int> ports{*server.port()};
    if (redis.port() > 0) {
        Peer admin(redis.port());
        admin.send(command({"CONFIG", "SET", "client-query-buffer-limit", "1mb"}));
        EXPECT_EQ(admin.replies(1), "+OK\r\n");
        ports.push_back(redis.port());
    }
    const std::string request = command({"PING"}) + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n" +
                                std::string(1'500'000, 'v');
    for (int port : ports) {
        Client c(port);
        ASSERT_TRUE(c.connected());
        (void)c.send(request);  // may fail half-way: the server closed
        EXPECT_EQ(c.recv_to_end(), "+PONG\r\n") << "port " << port;
    }
    // The limit is the client's own: a bystander is served.
    Peer bystander(*server.port());
    ASSERT_TRUE(bystander.send(command({"SET", "k", std::string(900'000, 'v')})));
    EXPECT_EQ(bystander.replies(1), "+OK\r\n");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(MiniRedisProtocol, QueryBuffersPastTheTotalCloseTheClientThatTookItThere) {
    ServerProcess server("mini_redis", {"--port", "0", "--max-query-buffer-total", "3mb"});
    ASSERT_TRUE(server.port());
    const std::string head = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n";
    Client a(*server.port()), b(*server.port());
    ASSERT_TRUE(a.connected() && b.connected());
    // Each alone fits; both together do not: whichever the server reads
    // second is closed, the other goes on.
    ASSERT_TRUE(a.send(head + std::string(1'900'000, 'a')));
    (void)b.send(head + std::string(1'900'000, 'b'));
    pollfd fds[2] = {{a.fd(), POLLIN, 0}, {b.fd(), POLLIN, 0}};
    ASSERT_EQ(::poll(fds, 2, 30'000), 1) << "one of them is closed, and only one";
    Client& closed = fds[0].revents ? a : b;
    Client& open = fds[0].revents ? b : a;
    EXPECT_TRUE(closed.peer_closed());
    ASSERT_TRUE(open.send(std::string(100'000, 'z') + "\r\n" + command({"PING"})));
    EXPECT_EQ(open.recv_n(12), "+OK\r\n+PONG\r\n");
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(MiniRedisProtocol, ABulkLongerThanProtoMaxBulkLenIsAProtocolError) {
    ServerProcess server("mini_redis");  // Redis's 512 MiB
    ASSERT_TRUE(server.port());
    for (const char* len : {"536870913", "99999999999999999999"}) {
        Client c(*server.port());
        ASSERT_TRUE(c.send(command({"PING"}) + "*2\r\n$4\r\nECHO\r\n$" + len + "\r\n"));
        EXPECT_EQ(c.recv_to_end(), "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n") << len;
    }
    {
        // A 512 MiB one is announced without harm: nothing is reserved for it.
        Client c(*server.port());
        ASSERT_TRUE(c.send("*2\r\n$4\r\nECHO\r\n$536870912\r\nabc"));
        Client other(*server.port());
        ASSERT_TRUE(other.send(command({"PING"})));
        EXPECT_EQ(other.recv_n(7), "+PONG\r\n");
    }
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

// Redis's maxclients, set by CONFIG SET while a client is connected: past
// it a newcomer reads Redis's own error and is closed (byte for byte as
// from redis-server, when one can be started), while the client there goes
// on being served; raised, the next newcomer is served.
TEST(MiniRedisProtocol, PastMaxclientsANewcomerReadsRedissErrorAndIsClosed) {
    ServerProcess server("mini_redis", {"--port", "0", "--threads", "1"});
    ASSERT_TRUE(server.port());
    RedisServer redis;
    std::vector<int> ports{*server.port()};
    if (redis.port() > 0) ports.push_back(redis.port());
    std::vector<std::string> transcripts;
    for (int port : ports) {
        std::string t;
        Peer admin(port);
        ASSERT_TRUE(admin.send(command({"CONFIG", "SET", "maxclients", "1"})));
        t += admin.replies(1);
        {
            Client late(port);  // sends nothing: redis-server closes at once, and unread input would reset
            t += late.recv_to_end();
        }
        ASSERT_TRUE(admin.send(command({"PING"}) + command({"CONFIG", "GET", "maxclients"}) +
                               command({"CONFIG", "SET", "maxclients", "0"}) +
                               command({"CONFIG", "SET", "maxclients", "x"}) +
                               command({"CONFIG", "SET", "maxclients", "2"})));
        t += admin.replies(5);
        Peer next(port);
        ASSERT_TRUE(next.send(command({"PING"})));
        t += next.replies(1);
        transcripts.push_back(t);
    }
    EXPECT_EQ(transcripts[0],
              "+OK\r\n-ERR max number of clients reached\r\n+PONG\r\n*2\r\n$10\r\nmaxclients\r\n$1\r\n1\r\n"
              "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and "
              "4294967295 inclusive\r\n"
              "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into "
              "an integer\r\n+OK\r\n+PONG\r\n");
    if (transcripts.size() > 1) {
        EXPECT_EQ(transcripts[0], transcripts[1]) << "mini_redis vs redis-server";
    }

    // The flag, and --max-connections, the samples' common name for it.
    for (const char* flag : {"--maxclients", "--max-connections"}) {
        ServerProcess capped("mini_redis", {"--port", "0", flag, "1"});
        ASSERT_TRUE(capped.port());
        Peer first(*capped.port());
        ASSERT_TRUE(first.send(command({"CONFIG", "GET", "maxclients"})));
        EXPECT_EQ(first.replies(1), "*2\r\n$10\r\nmaxclients\r\n$1\r\n1\r\n") << flag;
        Client late(*capped.port());
        EXPECT_EQ(late.recv_to_end(), "-ERR max number of clients reached\r\n") << flag;
        EXPECT_EQ(capped.stop(SIGTERM), 0);
    }
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

// Redis's timeout: a client idle that long is closed without a word, a
// subscriber is not (as in redis-server, compared when one can be started);
// CONFIG SET reaches the connections already open.
TEST(MiniRedisProtocol, AClientIdleForTimeoutSecondsIsClosedButASubscriberIsNot) {
    ServerProcess server("mini_redis", {"--port", "0", "--timeout", "1"});
    ASSERT_TRUE(server.port());
    RedisServer redis({"--timeout", "1"});
    std::vector<int> ports{*server.port()};
    if (redis.port() > 0) ports.push_back(redis.port());
    for (int port : ports) {
        Peer subscriber(port);
        ASSERT_TRUE(subscriber.send(command({"SUBSCRIBE", "ch"})));
        EXPECT_EQ(subscriber.replies(1), "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
        Client idle(port);
        ASSERT_TRUE(idle.send(command({"PING"})));
        EXPECT_EQ(idle.recv_n(7), "+PONG\r\n");
        EXPECT_EQ(idle.recv_to_end(), "") << "closed without a word; port " << port;
        // As long idle, the subscriber is still there.
        ASSERT_TRUE(subscriber.send(command({"PING"})));
        EXPECT_EQ(subscriber.replies(1), "*2\r\n$4\r\npong\r\n$0\r\n\r\n") << port;
    }
    EXPECT_EQ(server.stop(SIGTERM), 0);

    // No timeout at first; CONFIG SET gives the open connection one.
    ServerProcess later("mini_redis", {"--port", "0"});
    ASSERT_TRUE(later.port());
    Client idle(*later.port());
    ASSERT_TRUE(idle.send(command({"PING"})));
    EXPECT_EQ(idle.recv_n(7), "+PONG\r\n");
    Peer admin(*later.port());
    ASSERT_TRUE(admin.send(command({"CONFIG", "GET", "timeout"}) + command({"CONFIG", "SET", "timeout", "1"}) +
                           command({"CONFIG", "SET", "timeout", "-1"})));
    EXPECT_EQ(admin.replies(3),
              "*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n+OK\r\n"
              "-ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and "
              "2147483647 inclusive\r\n");
    EXPECT_EQ(idle.recv_to_end(), "");
    EXPECT_EQ(later.stop(SIGTERM), 0);
}
