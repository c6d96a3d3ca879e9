// The samples' server code on the simulated network (sim::Network): the
// mini_redis Connection (samples/mini_redis/connection.hpp) and chat_server's
// ChatConnection (samples/chat_server/chat_connection.hpp) serve a simulated
// host exactly as they serve real sockets. A crash of mini_redis's host is
// what its clients see of a crashed Redis: a reset, then a fresh, empty
// server; the chat room greets, relays and announces departures whatever
// the seed's schedule and latencies.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pollen.hpp>

#include "../samples/chat_server/chat_connection.hpp"
#include "../samples/mini_redis/client.hpp"
#include "../samples/mini_redis/connection.hpp"
#include "../samples/mini_redis/state.hpp"

using namespace pollen;
using namespace std::chrono_literals;

namespace {

/// mini_redis's accept loop, as its main() has it minus the signals.
struct RedisServer : Async<RedisServer, void> {
    std::shared_ptr<mini_redis::State> state = std::make_shared<mini_redis::State>();
    CancellationToken shutdown;
    std::optional<net::TcpListener> listener;
    std::optional<io::Result<std::pair<net::TcpStream, net::SocketAddr>>> accepted;
    POLLEN_FRAME;
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        {
            auto l = net::TcpListener::bind("0.0.0.0:6379");
            if (!l) throw std::runtime_error("bind: " + l.error().message());
            listener.emplace(std::move(*l));
        }
        for (;;) {
            POLLEN_LET(accepted, listener->accept());
            if (*accepted) pollen::spawn(mini_redis::Connection(std::move((*accepted)->first), state, shutdown));
        }
        POLLEN_END;
    }
};

/// SET and GET, a crash and restart of the server, and what the client sees.
struct RedisUser : Async<RedisUser, io::Result<std::vector<std::string>>> {
    sim::Network* net;
    std::optional<mini_redis::Client> client;
    std::optional<std::string> value;
    std::optional<io::Result<std::optional<std::string>>> after_crash;
    std::vector<std::string> log;
    POLLEN_FRAME;
    explicit RedisUser(sim::Network* n) : net(n) {}
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(client, mini_redis::connect("redis:6379"));
        POLLEN_AWAIT_TRY(client->set("greeting", "hello"));
        POLLEN_LET_TRY(value, client->get("greeting"));
        log.push_back("greeting=" + value.value_or("(nil)"));
        net->crash("redis");
        net->restart("redis");
        POLLEN_LET(after_crash, client->get("greeting"));
        log.push_back(*after_crash ? "answered" : (*after_crash).error() == std::errc::connection_reset ? "reset" : "other");
        client.reset();
        POLLEN_LET_TRY(client, mini_redis::connect("redis:6379"));
        POLLEN_LET_TRY(value, client->get("greeting"));
        log.push_back("greeting=" + value.value_or("(nil)"));
        POLLEN_RETURN(Ok(std::move(log)));
        POLLEN_END;
    }
};

std::vector<std::string> run_redis(Runtime& rt) {
    sim::Network net;
    net.host("redis", [] { return RedisServer(); });
    auto joined = rt.block_on(net.client("user", RedisUser(&net)));
    if (!joined) throw std::runtime_error(joined.error().what());
    if (!*joined) throw std::runtime_error((*joined).error().message());
    return std::move(**joined);
}

}  // namespace

TEST(SimSamples, MiniRedisServesASimulatedHostAndForgetsEverythingInACrash) {
    std::vector<std::string> log;
    sim::Stats first = sim::run_seed(11, [&](Runtime& rt) { log = run_redis(rt); });
    EXPECT_EQ(log, (std::vector<std::string>{"greeting=hello", "reset", "greeting=(nil)"}));
    sim::Stats again = sim::run_seed(11, [&](Runtime& rt) { (void)run_redis(rt); });
    EXPECT_EQ(first, again);
}

TEST(SimSamples, MiniRedisKeepsItsContractOverManySeeds) {
    sim::RunOptions options;
    options.check_determinism = true;
    sim::RunReport report = sim::run_seeds(20, [](Runtime& rt) {
        auto log = run_redis(rt);
        if (log != std::vector<std::string>{"greeting=hello", "reset", "greeting=(nil)"})
            throw std::runtime_error("unexpected: " + log[0] + ", " + log[1] + ", " + log[2]);
    }, options);
    EXPECT_TRUE(report.ok()) << (report.failure ? report.failure->message : "");
}

namespace {

/// chat_server's accept loop, as its main() has it minus the signals.
struct ChatServer : Async<ChatServer, void> {
    chat::Room room = broadcast::channel<chat::ChatMsg>(chat::kRoomCapacity).first;
    CancellationToken shutdown;
    std::uint64_t next_id = 0;
    std::optional<net::TcpListener> listener;
    std::optional<io::Result<std::pair<net::TcpStream, net::SocketAddr>>> accepted;
    POLLEN_FRAME;
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        {
            auto l = net::TcpListener::bind("0.0.0.0:7000");
            if (!l) throw std::runtime_error("bind: " + l.error().message());
            listener.emplace(std::move(*l));
        }
        for (;;) {
            POLLEN_LET(accepted, listener->accept());
            if (*accepted)
                pollen::spawn(chat::ChatConnection(++next_id, std::move((*accepted)->first), room, shutdown,
                                                   time::Duration::zero()));
        }
        POLLEN_END;
    }
};

using ChatConn = io::BufReader<net::TcpStream>;

/// Two chatters on one client host: names, a join, a message, a departure.
struct Chatters : Async<Chatters, io::Result<std::vector<std::string>>> {
    std::unique_ptr<ChatConn> alice, bob;
    std::optional<net::TcpStream> dialled;
    std::string line;
    std::vector<std::string> log;
    POLLEN_FRAME_SIZED(512);
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(dialled, net::TcpStream::connect("chat:7000"));
        alice = std::make_unique<ChatConn>(std::move(*dialled));
        POLLEN_AWAIT_TRY(io::write_all(*alice, std::string_view("alice\n")));
        POLLEN_AWAIT_TRY(io::read_line(*alice, line));
        POLLEN_LET_TRY(dialled, net::TcpStream::connect("chat:7000"));
        bob = std::make_unique<ChatConn>(std::move(*dialled));
        POLLEN_AWAIT_TRY(io::write_all(*bob, std::string_view("bob\n")));
        POLLEN_AWAIT_TRY(io::read_line(*bob, line));
        POLLEN_AWAIT_TRY(io::read_line(*alice, line));
        POLLEN_AWAIT_TRY(io::write_all(*alice, std::string_view("hello bob\n")));
        POLLEN_AWAIT_TRY(io::read_line(*bob, line));
        bob.reset();  // hangs up
        POLLEN_AWAIT_TRY(io::read_line(*alice, line));
        {
            // Split what came into lines: alice's welcome, bob's, bob joined, alice's message, bob left.
            std::size_t from = 0;
            for (std::size_t nl; (nl = line.find('\n', from)) != std::string::npos; from = nl + 1)
                log.push_back(line.substr(from, nl - from));
        }
        POLLEN_RETURN(Ok(std::move(log)));
        POLLEN_END;
    }
};

std::vector<std::string> run_chat(Runtime& rt) {
    sim::Network net;
    net.host("chat", [] { return ChatServer(); });
    auto joined = rt.block_on(net.client("users", Chatters()));
    if (!joined) throw std::runtime_error(joined.error().what());
    if (!*joined) throw std::runtime_error((*joined).error().message());
    return std::move(**joined);
}

const std::vector<std::string> kChat = {"*** welcome, alice", "*** welcome, bob", "*** bob joined",
                                        "alice: hello bob", "*** bob left"};

}  // namespace

TEST(SimSamples, ChatServerGreetsRelaysAndAnnouncesDepartures) {
    std::vector<std::string> log;
    sim::run_seed(12, [&](Runtime& rt) { log = run_chat(rt); });
    EXPECT_EQ(log, kChat);
}

TEST(SimSamples, ChatServerKeepsItsContractOverManySeeds) {
    sim::RunOptions options;
    options.check_determinism = true;
    sim::RunReport report = sim::run_seeds(20, [](Runtime& rt) {
        if (run_chat(rt) != kChat) throw std::runtime_error("the chat went differently");
    }, options);
    EXPECT_TRUE(report.ok()) << (report.failure ? report.failure->message : "");
}
