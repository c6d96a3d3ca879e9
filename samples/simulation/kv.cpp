#include "kv.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <charconv>
#include <optional>
#include <sstream>
#include <string_view>

using namespace pollen;
using namespace std::chrono_literals;

namespace kv {

bool tracing = false;

void trace(const std::string& who, const std::string& what) {
    if (!tracing) return;
    double t = sim::in_simulation() ? std::chrono::duration<double>(sim::elapsed()).count() : 0.0;
    std::fprintf(stderr, "%8.3fs %-8s %s\n", t, who.c_str(), what.c_str());
}

namespace {

using Conn = io::BufReader<net::TcpStream>;
using Line = Result<io::Result<std::size_t>, time::Elapsed>;

/// The words of a line ("E 3 k v\n" → {"E", "3", "k", "v"}).
std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(std::move(w));
    return out;
}

std::uint64_t number(const std::string& s) {
    std::uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

std::string entry_line(const Entry& e) { return "E " + std::to_string(e.seq) + " " + e.key + " " + e.value + "\n"; }

/// A line read within `limit`: true with the line in `line` (its "\n" kept).
bool got_line(std::optional<Line>& r) { return r && *r && **r && ***r > 0; }

std::string replica_addr(const std::string& host) { return host + ":" + std::to_string(kReplicaPort); }

// ---------------------------------------------------------------- the leader

/// Connects to follower `host` and sends `hello`; nothing (after a 100 ms
/// pause, so that callers may simply try again) when either fails.
struct Dial : Async<Dial, std::unique_ptr<Conn>> {
    std::string host;
    std::string_view hello;
    std::optional<Result<io::Result<net::TcpStream>, time::Elapsed>> dial;
    std::optional<Conn> conn;
    std::optional<io::Result<void>> sent;
    POLLEN_FRAME_SIZED(512);
    Dial(std::string h, std::string_view msg) : host(std::move(h)), hello(msg) {}
    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET(dial, time::timeout(300ms, net::TcpStream::connect(replica_addr(host))));
        if (*dial && **dial) {
            conn.emplace(std::move(***dial));
            POLLEN_LET(sent, io::write_all(*conn, hello));
            if (*sent) POLLEN_RETURN(std::make_unique<Conn>(std::move(*conn)));
        }
        POLLEN_AWAIT(time::sleep(100ms));
        POLLEN_RETURN(nullptr);
        POLLEN_END;
    }
};

/// Recovery: the log of each follower (both needed), the longer kept.
struct Recover : Async<Recover, void> {
    std::vector<std::string> followers;
    std::shared_ptr<LeaderState> state;
    std::vector<std::vector<Entry>> logs;
    std::size_t i = 0;
    std::unique_ptr<Conn> conn;
    std::optional<Line> line_read;
    std::string line;
    std::vector<Entry> got;
    bool done = false;
    POLLEN_FRAME_SIZED(512);
    Recover(std::vector<std::string> f, std::shared_ptr<LeaderState> s) : followers(std::move(f)), state(std::move(s)) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (i = 0; i < followers.size(); ++i) {
            for (done = false; !done;) {
                got.clear();
                POLLEN_LET(conn, Dial(followers[i], "FETCH\n").boxed());
                if (!conn) continue;
                for (;;) {
                    line.clear();
                    POLLEN_LET(line_read, time::timeout(300ms, io::read_line(*conn, line)));
                    if (!got_line(line_read)) break;
                    {
                        auto w = words(line);
                        if (w.size() == 1 && w[0] == "END") {
                            done = true;
                            break;
                        }
                        if (w.size() == 4 && w[0] == "E") got.push_back({number(w[1]), w[2], w[3]});
                    }
                }
                if (!done) {
                    POLLEN_AWAIT(time::sleep(100ms));
                }
            }
            logs.push_back(std::move(got));
        }
        {
            std::string sizes;
            for (std::size_t f = 0; f < logs.size(); ++f)
                sizes += (f ? ", " : "") + followers[f] + " has " + std::to_string(logs[f].size());
            auto longest = std::max_element(logs.begin(), logs.end(),
                                            [](const auto& a, const auto& b) { return a.size() < b.size(); });
            state->log = std::move(*longest);
            state->length.send_replace(state->log.size());
            state->ready = true;
            trace("leader", "recovered " + std::to_string(state->log.size()) + " entries (" + sizes + ")");
        }
        POLLEN_END;
    }
};

void update_committed(LeaderState& s) {
    std::uint64_t both = std::min(s.acked[0], s.acked[1]);
    if (both > *s.committed.borrow()) s.committed.send_replace(both);
}

/// Keeps follower `index` up to date, reconnecting when its session fails.
struct Replicate : Async<Replicate, void> {
    std::shared_ptr<LeaderState> state;
    std::string host;
    int index;
    std::unique_ptr<Conn> conn;
    std::optional<io::Result<void>> sent;
    std::optional<Line> line_read;
    std::optional<Result<Result<void, watch::RecvError>, time::Elapsed>> woke;
    watch::Receiver<std::uint64_t> grown;
    std::string line, out;
    std::uint64_t next = 1;  // the first entry the follower lacks
    POLLEN_FRAME_SIZED(512);
    Replicate(std::shared_ptr<LeaderState> s, std::string h, int i)
        : state(std::move(s)), host(std::move(h)), index(i), grown(state->length.subscribe()) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (;;) {
            POLLEN_LET(conn, Dial(host, "REPL\n").boxed());
            if (!conn) continue;
            line.clear();
            POLLEN_LET(line_read, time::timeout(300ms, io::read_line(*conn, line)));
            if (!got_line(line_read)) continue;
            {
                auto w = words(line);
                if (w.size() != 2 || w[0] != "AT") continue;
                std::uint64_t at = number(w[1]);
                if (at > state->log.size()) {
                    state->diverged = true;  // never in a correct run: the convergence check reports it
                    continue;
                }
                next = at + 1;
                state->acked[index] = at;
                update_committed(*state);
            }
            for (;;) {
                out.clear();
                for (std::uint64_t s = next; s <= state->log.size(); ++s) out += entry_line(state->log[s - 1]);
                out += "HB\n";
                POLLEN_LET(sent, io::write_all(*conn, out));
                if (!*sent) break;
                line.clear();
                POLLEN_LET(line_read, time::timeout(300ms, io::read_line(*conn, line)));
                if (!got_line(line_read)) break;
                {
                    auto w = words(line);
                    if (w.size() != 2 || w[0] != "ACK") break;
                    std::uint64_t n = std::min<std::uint64_t>(number(w[1]), state->log.size());
                    next = n + 1;
                    state->acked[index] = n;
                    update_committed(*state);
                }
                // Nothing new: a heartbeat in 50 ms, or the batch as soon as there is one.
                if (next > state->log.size()) {
                    POLLEN_LET(woke, time::timeout(50ms, grown.changed()));
                }
            }
        }
        POLLEN_END;
    }
};

/// Answers one client's PUT once it is safe (or at once, naive).
struct Acknowledge : Async<Acknowledge, void> {
    std::shared_ptr<LeaderState> state;
    std::shared_ptr<net::UdpSocket> socket;
    std::uint64_t seq;
    std::string reply;
    net::SocketAddr to;
    watch::Receiver<std::uint64_t> committed;
    std::optional<Result<void, watch::RecvError>> changed;
    std::optional<io::Result<std::size_t>> sent;
    POLLEN_FRAME;
    Acknowledge(std::shared_ptr<LeaderState> st, std::shared_ptr<net::UdpSocket> s, std::uint64_t n, std::string key,
                net::SocketAddr a)
        : state(std::move(st)), socket(std::move(s)), seq(n), reply("OK " + key + "\n"), to(a),
          committed(state->committed.subscribe()) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        if (!state->naive) {
            while (*committed.borrow() < seq) {
                POLLEN_LET(changed, committed.changed());
                if (!*changed) POLLEN_RETURN();
            }
        }
        trace("leader", "acknowledges " + std::to_string(seq) + (state->naive ? " (naive: before replication)" : ""));
        POLLEN_LET(sent, socket->send_to(std::as_bytes(std::span(reply.data(), reply.size())), to));
        POLLEN_END;
    }
};

struct Leader : Async<Leader, void> {
    std::vector<std::string> followers;
    std::shared_ptr<LeaderState> state;
    std::shared_ptr<net::UdpSocket> socket;
    std::array<std::byte, 512> buf{};
    std::optional<io::Result<std::pair<std::size_t, net::SocketAddr>>> got;
    POLLEN_FRAME;
    Leader(std::vector<std::string> f, std::shared_ptr<LeaderState> s) : followers(std::move(f)), state(std::move(s)) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_AWAIT(Recover(followers, state).boxed());  // a one-off child: boxed rather than a bigger frame
        for (std::size_t i = 0; i < followers.size(); ++i) pollen::spawn(Replicate(state, followers[i], int(i)));
        {
            auto s = net::UdpSocket::bind(net::SocketAddr(net::IpAddr::unspecified_v4(), kClientPort));
            if (!s) throw std::runtime_error("leader: bind: " + s.error().message());
            socket = std::make_shared<net::UdpSocket>(std::move(*s));
        }
        for (;;) {
            POLLEN_LET(got, socket->recv_from(buf));
            if (!*got) continue;
            {
                auto w = words(std::string(reinterpret_cast<const char*>(buf.data()), (*got)->first));
                if (w.size() != 3 || w[0] != "PUT") continue;
                std::uint64_t seq = state->log.size() + 1;
                state->log.push_back({seq, w[1], w[2]});
                trace("leader", "appended " + std::to_string(seq) + " " + w[1] + "=" + w[2]);
                state->length.send_replace(seq);
                pollen::spawn(Acknowledge(state, socket, seq, w[1], (*got)->second));
            }
        }
        POLLEN_END;
    }
};

// ---------------------------------------------------------------- followers

struct FollowerState {
    std::shared_ptr<Disk> disk;
    std::uint64_t generation = 0;  // of the newest FETCH or REPL: older sessions stop
};

struct FollowerSession : Async<FollowerSession, void> {
    std::shared_ptr<FollowerState> state;
    Conn conn;
    std::optional<Line> line_read;
    std::optional<io::Result<void>> sent;
    std::string line, out;
    std::uint64_t mine = 0;
    POLLEN_FRAME;
    FollowerSession(std::shared_ptr<FollowerState> s, net::TcpStream st) : state(std::move(s)), conn(std::move(st)) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET(line_read, time::timeout(1s, io::read_line(conn, line)));
        if (!got_line(line_read)) POLLEN_RETURN();
        mine = ++state->generation;
        if (line == "FETCH\n") {
            for (const Entry& e : state->disk->log) out += entry_line(e);
            out += "END\n";
            POLLEN_LET(sent, io::write_all(conn, out));
            POLLEN_RETURN();
        }
        if (line != "REPL\n") POLLEN_RETURN();
        out = "AT " + std::to_string(state->disk->log.size()) + "\n";
        POLLEN_LET(sent, io::write_all(conn, out));
        if (!*sent) POLLEN_RETURN();
        for (;;) {
            line.clear();
            // The leader sends at least every 50 ms: silence means it is gone.
            POLLEN_LET(line_read, time::timeout(500ms, io::read_line(conn, line)));
            if (!got_line(line_read) || state->generation != mine) POLLEN_RETURN();
            {
                auto w = words(line);
                if (w.size() == 4 && w[0] == "E") {
                    std::uint64_t seq = number(w[1]);
                    if (seq == state->disk->log.size() + 1) state->disk->log.push_back({seq, w[2], w[3]});
                    continue;
                }
                if (w.size() != 1 || w[0] != "HB") POLLEN_RETURN();
                out = "ACK " + std::to_string(state->disk->log.size()) + "\n";
            }
            POLLEN_LET(sent, io::write_all(conn, out));
            if (!*sent) POLLEN_RETURN();
        }
        POLLEN_END;
    }
};

struct Follower : Async<Follower, void> {
    std::shared_ptr<FollowerState> state;
    std::optional<net::TcpListener> listener;
    std::optional<io::Result<std::pair<net::TcpStream, net::SocketAddr>>> accepted;
    POLLEN_FRAME;
    explicit Follower(std::shared_ptr<Disk> d) : state(std::make_shared<FollowerState>(FollowerState{std::move(d)})) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        {
            auto l = net::TcpListener::bind(net::SocketAddr(net::IpAddr::unspecified_v4(), kReplicaPort));
            if (!l) throw std::runtime_error("follower: bind: " + l.error().message());
            listener.emplace(std::move(*l));
        }
        for (;;) {
            POLLEN_LET(accepted, listener->accept());
            if (*accepted) pollen::spawn(FollowerSession(state, std::move((*accepted)->first)));
        }
        POLLEN_END;
    }
};

// ---------------------------------------------------------------- clients

struct Client : Async<Client, void> {
    std::string leader_host;
    int id;
    std::shared_ptr<Acked> acked;
    time::Instant stop_at;
    std::optional<net::UdpSocket> socket;
    std::array<std::byte, 512> buf{};
    std::string key, value, request;
    std::optional<io::Result<std::size_t>> sent;
    std::optional<Result<io::Result<std::pair<std::size_t, net::SocketAddr>>, time::Elapsed>> reply;
    int i = 0;
    POLLEN_FRAME_SIZED(512);
    Client(std::string l, int n, std::shared_ptr<Acked> a, time::Instant stop)
        : leader_host(std::move(l)), id(n), acked(std::move(a)), stop_at(stop) {}
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        {
            auto s = net::UdpSocket::bind("0.0.0.0:0");
            if (!s) throw std::runtime_error("client: bind: " + s.error().message());
            socket.emplace(std::move(*s));
        }
        for (i = 0; time::Instant::now() < stop_at; ++i) {
            key = "c" + std::to_string(id) + "-" + std::to_string(i);
            value = "v" + std::to_string(sim::in_simulation() ? sim::random_below(1'000'000) : std::uint64_t(i));
            request = "PUT " + key + " " + value + "\n";
            while (time::Instant::now() < stop_at) {
                POLLEN_LET(sent, socket->send_to(std::as_bytes(std::span(request.data(), request.size())),
                                                 leader_host + ":" + std::to_string(kClientPort)));
                POLLEN_LET(reply, time::timeout(300ms, socket->recv_from(buf)));
                if (*reply && **reply &&
                    std::string(reinterpret_cast<const char*>(buf.data()), (**reply)->first) == "OK " + key + "\n") {
                    acked->emplace_back(key, value);
                    trace("client" + std::to_string(id), "acknowledged " + key + "=" + value);
                    break;
                }
            }
            POLLEN_AWAIT(time::sleep(std::chrono::milliseconds(10 + (sim::in_simulation() ? sim::random_below(90) : 50))));
        }
        POLLEN_END;
    }
};

}  // namespace

BoxFuture<void> leader(std::vector<std::string> followers, std::shared_ptr<LeaderState> state) {
    return Leader(std::move(followers), std::move(state)).boxed();
}

BoxFuture<void> follower(std::shared_ptr<Disk> disk) { return Follower(std::move(disk)).boxed(); }

BoxFuture<void> client(std::string leader_host, int id, std::shared_ptr<Acked> acked, time::Instant stop_at) {
    return Client(std::move(leader_host), id, std::move(acked), stop_at).boxed();
}

std::map<std::string, std::string> apply(const std::vector<Entry>& log) {
    std::map<std::string, std::string> m;
    for (const Entry& e : log) m[e.key] = e.value;
    return m;
}

}  // namespace kv
