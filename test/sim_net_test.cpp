// The simulated network (sim::Network): net::TcpListener, TcpStream,
// UdpSocket and lookup_host run unchanged inside simulated hosts; a seed
// replays the network event for event; latency, loss, partitions, holds,
// crashes and restarts behave as documented in net/sim_network.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <pollen.hpp>
#include <pollen/net/sim_network.hpp>

using namespace pollen;
using namespace std::chrono_literals;

namespace {

std::span<const std::byte> bytes_of(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

/// One connection of the echo server: echoes until end of stream or an error.
struct EchoConn : Async<EchoConn, void> {
    net::TcpStream s;
    std::array<std::byte, 512> buf{};
    std::optional<io::Result<std::size_t>> n;
    std::optional<io::Result<void>> w;
    POLLEN_FRAME;
    explicit EchoConn(net::TcpStream st) : s(std::move(st)) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (;;) {
            POLLEN_LET(n, io::read(s, buf));
            if (!*n || **n == 0) break;
            POLLEN_LET(w, io::write_all(s, std::span<const std::byte>(buf.data(), **n)));
            if (!*w) break;
        }
        POLLEN_END;
    }
};

/// A TCP echo server on `port`; holds `alive` while it runs (crash tests count it).
struct EchoServer : Async<EchoServer, void> {
    std::uint16_t port;
    std::shared_ptr<int> alive;
    std::optional<net::TcpListener> listener;
    std::optional<io::Result<std::pair<net::TcpStream, net::SocketAddr>>> accepted;
    POLLEN_FRAME;
    EchoServer(std::uint16_t p, std::shared_ptr<int> a) : port(p), alive(std::move(a)) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        {
            auto l = net::TcpListener::bind(net::SocketAddr(net::IpAddr::unspecified_v4(), port));
            if (!l) throw std::runtime_error("bind: " + l.error().message());
            listener.emplace(std::move(*l));
        }
        for (;;) {
            POLLEN_LET(accepted, listener->accept());
            if (*accepted) pollen::spawn(EchoConn(std::move((*accepted)->first)));
        }
        POLLEN_END;
    }
};

/// Connects to `target`, sends each message and reads its echo; the replies.
struct EchoClient : Async<EchoClient, io::Result<std::vector<std::string>>> {
    std::string target;
    std::vector<std::string> msgs;
    std::optional<net::TcpStream> s;
    std::vector<std::string> replies;
    std::string buf;
    std::size_t i = 0;
    POLLEN_FRAME_SIZED(512);
    EchoClient(std::string t, std::vector<std::string> m) : target(std::move(t)), msgs(std::move(m)) {}
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(s, net::TcpStream::connect(target));
        for (i = 0; i < msgs.size(); ++i) {
            POLLEN_AWAIT(time::sleep(std::chrono::milliseconds(sim::random_below(20))));
            POLLEN_AWAIT_TRY(io::write_all(*s, msgs[i]));
            buf.assign(msgs[i].size(), '\0');
            POLLEN_AWAIT_TRY(io::read_exact(*s, std::as_writable_bytes(std::span(buf.data(), buf.size()))));
            replies.push_back(buf);
        }
        POLLEN_RETURN(Ok(std::move(replies)));
        POLLEN_END;
    }
};

/// Sends `count` numbered datagrams to `target`, one every `gap`.
struct UdpSender : Async<UdpSender, io::Result<void>> {
    std::string target;
    int count;
    std::chrono::nanoseconds gap;
    std::optional<net::UdpSocket> s;
    std::array<std::byte, 4> b{};
    int i = 0;
    POLLEN_FRAME;
    UdpSender(std::string t, int c, std::chrono::nanoseconds g) : target(std::move(t)), count(c), gap(g) {}
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_TRY(s, net::UdpSocket::bind("0.0.0.0:0"));
        for (i = 0; i < count; ++i) {
            for (int k = 0; k < 4; ++k) b[k] = std::byte(i >> (8 * k));
            POLLEN_AWAIT_TRY(s->send_to(b, target));
            POLLEN_AWAIT(time::sleep(gap));
        }
        POLLEN_RETURN(Ok());
        POLLEN_END;
    }
};

/// Receives numbered datagrams on `port` until none came for `quiet`; their numbers in arrival order.
struct UdpReceiver : Async<UdpReceiver, io::Result<std::vector<int>>> {
    std::uint16_t port;
    std::chrono::nanoseconds quiet;
    std::optional<net::UdpSocket> s;
    std::array<std::byte, 16> b{};
    std::optional<Result<io::Result<std::pair<std::size_t, net::SocketAddr>>, time::Elapsed>> got;
    std::vector<int> seen;
    POLLEN_FRAME;
    UdpReceiver(std::uint16_t p, std::chrono::nanoseconds q) : port(p), quiet(q) {}
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_TRY(s, net::UdpSocket::bind(net::SocketAddr(net::IpAddr::unspecified_v4(), port)));
        for (;;) {
            POLLEN_LET(got, time::timeout(quiet, s->recv_from(b)));
            if (!*got) break;  // quiet long enough
            if (!**got) POLLEN_RETURN(Err((**got).error()));
            {
                int v = 0;
                for (int k = 0; k < 4; ++k) v |= int(b[k]) << (8 * k);
                seen.push_back(v);
            }
        }
        POLLEN_RETURN(Ok(std::move(seen)));
        POLLEN_END;
    }
};

/// A UDP echo on `port`: each datagram goes back to its sender.
struct UdpEcho : Async<UdpEcho, void> {
    std::uint16_t port;
    std::optional<net::UdpSocket> s;
    std::array<std::byte, 64> b{};
    std::optional<io::Result<std::pair<std::size_t, net::SocketAddr>>> got;
    std::optional<io::Result<std::size_t>> sent;
    POLLEN_FRAME;
    explicit UdpEcho(std::uint16_t p) : port(p) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        {
            auto r = net::UdpSocket::bind(net::SocketAddr(net::IpAddr::unspecified_v4(), port));
            if (!r) throw std::runtime_error("bind: " + r.error().message());
            s.emplace(std::move(*r));
        }
        for (;;) {
            POLLEN_LET(got, s->recv_from(b));
            if (!*got) continue;
            POLLEN_LET(sent, s->send_to(std::span<const std::byte>(b.data(), (*got)->first), (*got)->second));
        }
        POLLEN_END;
    }
};

template <class T>
T must(Result<T, JoinError> r) {
    if (!r) throw std::runtime_error("task failed: " + r.error().what());
    return std::move(*r);
}

/// Two echo clients and a UDP stream over lossy, jittery links: the
/// determinism scenario.
void busy_network(Runtime& rt) {
    sim::LinkConfig link;
    link.min_latency = 1ms;
    link.max_latency = 15ms;
    link.udp_loss = 0.1;
    sim::Network net(link);
    net.host("server", [] { return EchoServer(7, nullptr); });
    auto a = net.client("a", EchoClient("server:7", {"one", "two", "three"}));
    auto b = net.client("b", EchoClient("server:7", {"four", "five"}));
    auto rx = net.client("rx", UdpReceiver(9000, 100ms));
    auto tx = net.client("tx", UdpSender("rx:9000", 50, 2ms));
    auto ra = must(rt.block_on(std::move(a)));
    auto rb = must(rt.block_on(std::move(b)));
    if (!ra || !rb) throw std::runtime_error("echo failed");
    if (!must(rt.block_on(std::move(tx)))) throw std::runtime_error("udp send failed");
    if (!must(rt.block_on(std::move(rx)))) throw std::runtime_error("udp receive failed");
}

}  // namespace

TEST(SimNet, TcpEchoBetweenTwoHosts) {
    sim::Stats stats = sim::run_seed(1, [](Runtime& rt) {
        sim::Network net;
        net.host("server", [] { return EchoServer(7, nullptr); });
        auto c = net.client("client", EchoClient("server:7", {"hello", "world"}));
        auto r = must(rt.block_on(std::move(c)));
        ASSERT_TRUE(r) << r.error().message();
        EXPECT_EQ(*r, (std::vector<std::string>{"hello", "world"}));
        EXPECT_EQ(net.ip("server").to_string(), "10.0.0.1");
        EXPECT_EQ(net.ip("client").to_string(), "10.0.0.2");
        EXPECT_GT(net.counters().delivered, 4u);  // SYN, SYN-ACK, two messages, two echoes
    });
    EXPECT_GT(stats.elapsed, 0ns);  // latency is virtual time
}

/// Addresses: accept's peer, local_addr and lookup_host of host names.
struct AddrProbe : Async<AddrProbe, io::Result<std::vector<std::string>>> {
    std::optional<net::TcpStream> s;
    std::optional<io::Result<std::vector<net::SocketAddr>>> found;
    std::optional<io::Result<std::vector<net::SocketAddr>>> missing;
    std::vector<std::string> out;
    POLLEN_FRAME;
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET(found, net::lookup_host("server", 7));
        POLLEN_LET(missing, net::lookup_host("nowhere", 7));
        out.push_back(*found ? (**found)[0].to_string() : "error");
        out.push_back(*missing ? "found" : "error");
        POLLEN_LET_TRY(s, net::TcpStream::connect((**found)[0]));
        {
            auto peer = s->peer_addr();
            auto local = s->local_addr();
            out.push_back(peer ? peer->to_string() : "error");
            out.push_back(local ? local->ip().to_string() : "error");
        }
        POLLEN_RETURN(Ok(std::move(out)));
        POLLEN_END;
    }
};

TEST(SimNet, HostNamesResolveToTheirAddresses) {
    sim::run_seed(2, [](Runtime& rt) {
        sim::Network net;
        net.host("server", [] { return EchoServer(7, nullptr); });
        auto r = must(rt.block_on(net.client("client", AddrProbe())));
        ASSERT_TRUE(r) << r.error().message();
        EXPECT_EQ(*r, (std::vector<std::string>{"10.0.0.1:7", "error", "10.0.0.1:7", "10.0.0.2"}));
    });
}

TEST(SimNet, ConnectToAPortNobodyListensOnIsRefused) {
    sim::run_seed(3, [](Runtime& rt) {
        sim::Network net;
        net.host("server", [] { return EchoServer(7, nullptr); });
        auto r = must(rt.block_on(net.client("client", EchoClient("server:8", {"x"}))));
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), std::errc::connection_refused);
    });
}

TEST(SimNet, SocketsOutsideAHostAreRefused) {
    sim::run_seed(4, [](Runtime& rt) {
        sim::Network net;
        EXPECT_THROW((void)net::TcpListener::bind("0.0.0.0:1"), std::logic_error);
        EXPECT_THROW((void)net::UdpSocket::bind("0.0.0.0:1"), std::logic_error);
        EXPECT_THROW(sim::Network second, std::logic_error);
        EXPECT_THROW(net.crash("nobody"), std::invalid_argument);
        (void)rt;
    });
    EXPECT_THROW(sim::Network outside, std::logic_error);
}

TEST(SimNet, SameSeedSameRunDifferentSeedsDiffer) {
    std::set<std::uint64_t> hashes;
    for (std::uint64_t seed = 10; seed < 16; ++seed) {
        sim::Stats first = sim::run_seed(seed, busy_network);
        sim::Stats second = sim::run_seed(seed, busy_network);
        EXPECT_EQ(first, second) << first.to_string() << " vs " << second.to_string();
        hashes.insert(first.hash);
    }
    EXPECT_EQ(hashes.size(), 6u);
    // The runner's own check agrees.
    sim::RunOptions opts;
    opts.first_seed = 20;
    opts.check_determinism = true;
    EXPECT_TRUE(sim::run_seeds(5, busy_network, opts).ok());
}

TEST(SimNet, UdpLossAndReorderingFollowTheSeed) {
    auto run = [](std::uint64_t seed) {
        std::vector<int> seen;
        sim::run_seed(seed, [&](Runtime& rt) {
            sim::LinkConfig link;
            link.min_latency = 1ms;
            link.max_latency = 20ms;  // far wider than the 1 ms gap: datagrams overtake each other
            link.udp_loss = 0.2;
            sim::Network net(link);
            auto rx = net.client("rx", UdpReceiver(9000, 200ms));
            auto tx = net.client("tx", UdpSender("rx:9000", 1000, 1ms));
            ASSERT_TRUE(must(rt.block_on(std::move(tx))));
            auto r = must(rt.block_on(std::move(rx)));
            ASSERT_TRUE(r);
            seen = *r;
            EXPECT_EQ(net.counters().dropped, 1000 - seen.size());
        });
        return seen;
    };
    std::vector<int> seen = run(7);
    // About 20% lost: 1000 draws at p = 0.2 are within 700..900 for any seed worth keeping.
    EXPECT_GT(seen.size(), 700u);
    EXPECT_LT(seen.size(), 900u);
    std::set<int> unique(seen.begin(), seen.end());
    EXPECT_EQ(unique.size(), seen.size());  // no duplicates
    std::size_t reordered = 0;
    for (std::size_t i = 1; i < seen.size(); ++i) reordered += seen[i] < seen[i - 1];
    EXPECT_GT(reordered, 50u);
    EXPECT_EQ(run(7), seen);   // the same seed loses and reorders the same datagrams
    EXPECT_NE(run(8), seen);   // another does not
}

/// Partition scenario: a connect across the cut times out; after the
/// repair it connects; data written across a new cut waits for the repair.
struct PartitionClient : Async<PartitionClient, io::Result<std::vector<std::string>>> {
    sim::Network* net;
    std::optional<Result<io::Result<net::TcpStream>, time::Elapsed>> first;
    std::optional<net::TcpStream> s;
    std::optional<Result<io::Result<std::size_t>, time::Elapsed>> early;
    std::array<std::byte, 4> buf{};
    std::size_t n = 0;
    std::vector<std::string> log;
    time::Instant start;
    POLLEN_FRAME_SIZED(512);
    explicit PartitionClient(sim::Network* nw) : net(nw) {}
    static std::string ms(time::Duration d) {
        return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
    }
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        start = time::Instant::now();
        net->partition("client", "server");
        POLLEN_LET(first, time::timeout(1s, net::TcpStream::connect("server:7")));
        log.push_back(*first ? "connected" : "connect timed out");
        net->repair("client", "server");
        POLLEN_LET_TRY(s, net::TcpStream::connect("server:7"));
        log.push_back("connected");
        net->partition("client", "server");
        POLLEN_AWAIT_TRY(io::write_all(*s, std::string_view("ping")));
        POLLEN_LET(early, time::timeout(500ms, io::read_exact(*s, buf)));
        log.push_back(*early ? "echo across the cut" : "held");
        net->repair("client", "server");
        POLLEN_LET_TRY(n, io::read_exact(*s, buf));
        log.push_back(std::string(reinterpret_cast<const char*>(buf.data()), n) + " after repair");
        POLLEN_RETURN(Ok(std::move(log)));
        POLLEN_END;
    }
};

TEST(SimNet, PartitionsHoldTcpUntilRepaired) {
    sim::run_seed(5, [](Runtime& rt) {
        sim::Network net;
        net.host("server", [] { return EchoServer(7, nullptr); });
        auto r = must(rt.block_on(net.client("client", PartitionClient(&net))));
        ASSERT_TRUE(r) << r.error().message();
        EXPECT_EQ(*r, (std::vector<std::string>{"connect timed out", "connected", "held", "ping after repair"}));
        EXPECT_GT(net.counters().parked, 0u);
    });
}

/// Hold scenario: datagrams sent over a held link arrive only after release.
struct HoldClient : Async<HoldClient, io::Result<std::vector<std::string>>> {
    sim::Network* net;
    std::string msg = "abc";  // the send futures borrow it
    std::optional<net::UdpSocket> s;
    std::array<std::byte, 8> b{};
    std::optional<Result<io::Result<std::pair<std::size_t, net::SocketAddr>>, time::Elapsed>> got;
    std::vector<std::string> log;
    int i = 0;
    POLLEN_FRAME;
    explicit HoldClient(sim::Network* nw) : net(nw) {}
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_TRY(s, net::UdpSocket::bind("0.0.0.0:0"));
        net->hold("client", "echo");
        for (i = 0; i < 3; ++i) POLLEN_AWAIT_TRY(s->send_to(bytes_of(msg), "echo:5"));
        POLLEN_LET(got, time::timeout(300ms, s->recv_from(b)));
        log.push_back(*got ? "reply while held" : "nothing while held");
        net->release("client", "echo");
        for (i = 0; i < 3; ++i) {
            POLLEN_LET(got, time::timeout(300ms, s->recv_from(b)));
            log.push_back(*got && **got ? "reply" : "lost");
        }
        POLLEN_RETURN(Ok(std::move(log)));
        POLLEN_END;
    }
};

TEST(SimNet, HeldLinkDeliversOnRelease) {
    sim::run_seed(6, [](Runtime& rt) {
        sim::Network net;
        net.host("echo", [] { return UdpEcho(5); });
        auto r = must(rt.block_on(net.client("client", HoldClient(&net))));
        ASSERT_TRUE(r) << r.error().message();
        EXPECT_EQ(*r, (std::vector<std::string>{"nothing while held", "reply", "reply", "reply"}));
        EXPECT_EQ(net.counters().parked, 3u);
    });
}

/// Crash scenario, seen from a client of the crashed server.
struct CrashClient : Async<CrashClient, io::Result<std::vector<std::string>>> {
    sim::Network* net;
    std::shared_ptr<int> alive;
    std::optional<net::TcpStream> s;
    std::optional<Result<io::Result<net::TcpStream>, time::Elapsed>> dial;
    std::optional<Result<io::Result<std::size_t>, time::Elapsed>> r;
    std::optional<io::Result<std::size_t>> after;
    std::array<std::byte, 1> buf{};
    std::vector<std::string> log;
    POLLEN_FRAME_SIZED(512);
    CrashClient(sim::Network* nw, std::shared_ptr<int> a) : net(nw), alive(std::move(a)) {}
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(s, net::TcpStream::connect("server:7"));
        POLLEN_AWAIT_TRY(io::write_all(*s, std::string_view("a")));
        POLLEN_AWAIT_TRY(io::read_exact(*s, buf));
        // alive's owners: the test, the start function, this client, and the server's task.
        log.push_back("echo, alive held " + std::to_string(alive.use_count()) + " times");
        net->crash("server");
        log.push_back("crashed, alive held " + std::to_string(alive.use_count()) + " times");
        // Down: what we send vanishes, nothing answers.
        POLLEN_AWAIT_TRY(io::write_all(*s, std::string_view("b")));
        POLLEN_LET(r, time::timeout(500ms, io::read(*s, buf)));
        log.push_back(*r ? "answer while down" : "silence while down");
        POLLEN_LET(dial, time::timeout(500ms, net::TcpStream::connect("server:7")));
        log.push_back(*dial ? "connected while down" : "connect timed out");
        net->restart("server");
        // Back, without our connection: it answers our next packet with RST.
        POLLEN_AWAIT_TRY(io::write_all(*s, std::string_view("c")));
        POLLEN_LET(after, io::read(*s, buf));
        log.push_back(*after ? "read ok" : (*after).error() == std::errc::connection_reset ? "reset" : "other error");
        POLLEN_LET_TRY(s, net::TcpStream::connect("server:7"));
        POLLEN_AWAIT_TRY(io::write_all(*s, std::string_view("d")));
        POLLEN_AWAIT_TRY(io::read_exact(*s, buf));
        log.push_back(std::string("echo ") + char(buf[0]) + " after restart");
        POLLEN_RETURN(Ok(std::move(log)));
        POLLEN_END;
    }
};

TEST(SimNet, CrashIsSilenceThenResetAndRestartRunsTheStartFunctionAgain) {
    sim::run_seed(7, [](Runtime& rt) {
        sim::Network net;
        auto alive = std::make_shared<int>(0);
        auto starts = std::make_shared<int>(0);
        net.host("server", [alive, starts] {
            ++*starts;
            return EchoServer(7, alive);
        });
        auto r = must(rt.block_on(net.client("client", CrashClient(&net, alive))));
        ASSERT_TRUE(r) << r.error().message();
        EXPECT_EQ(*r, (std::vector<std::string>{"echo, alive held 4 times", "crashed, alive held 3 times",
                                                "silence while down", "connect timed out", "reset",
                                                "echo d after restart"}));
        EXPECT_EQ(*starts, 2);
        EXPECT_TRUE(net.is_up("server"));
    });
}

TEST(SimNet, RestartingAHostThatIsUpOrAClientIsRefused) {
    sim::run_seed(8, [](Runtime& rt) {
        sim::Network net;
        net.host("server", [] { return EchoServer(7, nullptr); });
        auto c = net.client("client", time::sleep(1ms));
        EXPECT_THROW(net.restart("server"), std::logic_error);
        net.crash("client");
        EXPECT_THROW(net.restart("client"), std::logic_error);
        auto joined = rt.block_on(std::move(c));
        ASSERT_FALSE(joined);
        EXPECT_TRUE(joined.error().is_cancelled());
    });
}

/// The speed scenario: a leader sends a heartbeat to each of two followers
/// every 10 to 100 ms over TCP and waits for its echo, for 10 virtual seconds.
struct Heartbeats : Async<Heartbeats, void> {
    std::shared_ptr<int> rounds;
    std::optional<net::TcpStream> f1, f2;
    std::optional<io::Result<net::TcpStream>> dial;
    std::array<std::byte, 8> beat{}, echo{};
    std::optional<io::Result<void>> w;
    std::optional<io::Result<std::size_t>> r;
    time::Instant until;
    POLLEN_FRAME_SIZED(512);
    explicit Heartbeats(std::shared_ptr<int> n) : rounds(std::move(n)) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        until = time::Instant::now() + 10s;
        POLLEN_LET(dial, net::TcpStream::connect("f1:7"));
        if (!*dial) throw std::runtime_error("f1: " + dial->error().message());
        f1.emplace(std::move(**dial));
        POLLEN_LET(dial, net::TcpStream::connect("f2:7"));
        if (!*dial) throw std::runtime_error("f2: " + dial->error().message());
        f2.emplace(std::move(**dial));
        while (time::Instant::now() < until) {
            POLLEN_AWAIT(time::sleep(std::chrono::milliseconds(10 + sim::random_below(91))));
            POLLEN_LET(w, io::write_all(*f1, beat));
            POLLEN_LET(w, io::write_all(*f2, beat));
            POLLEN_LET(r, io::read_exact(*f1, echo));
            POLLEN_LET(r, io::read_exact(*f2, echo));
            if (!*r) throw std::runtime_error("echo: " + r->error().message());
            ++*rounds;
        }
        POLLEN_END;
    }
};

void three_hosts(Runtime& rt) {
    sim::Network net;
    auto rounds = std::make_shared<int>(0);
    net.host("f1", [] { return EchoServer(7, nullptr); });
    net.host("f2", [] { return EchoServer(7, nullptr); });
    net.host("leader", [rounds] { return Heartbeats(rounds); });
    rt.block_on(time::sleep(10500ms));
    if (*rounds < 100) throw std::runtime_error("only " + std::to_string(*rounds) + " rounds");
}

TEST(SimNet, SeedsPerMinuteOfAThreeHostScenario) {
    // A measurement, not a check: printed for the record (no wall-clock assertion).
    constexpr std::uint64_t kSeeds = 100;
    auto t0 = std::chrono::steady_clock::now();
    sim::RunReport r = sim::run_seeds(kSeeds, three_hosts);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_TRUE(r.ok());
    std::printf("[ MEASURE  ] %llu seeds of 3 hosts x 10 virtual seconds of TCP heartbeats in %.3f s: %.0f seeds/minute\n",
                static_cast<unsigned long long>(kSeeds), s, kSeeds / s * 60);
}
