#pragma once
/// kv: a small replicated key-value store, the code under test of
/// samples/simulation. A leader and two followers; clients write keys.
/// Everything here is ordinary pollen code on the normal net API (UDP for
/// the clients, TCP between the replicas): the same futures run on real
/// sockets on a current-thread runtime, given host names that resolve.
///
/// - Clients send `PUT key value` datagrams to the leader's UDP port 7000
///   and wait for `OK key`, resending on a timeout (datagrams get lost);
///   a write counts as acknowledged once its OK arrived.
/// - The leader appends each PUT to its log (in memory: a crash loses it)
///   and replicates the log to both followers over TCP (port 7001): a
///   `REPL` session answered with `AT n` (the follower's length), then
///   batches of `E seq key value` lines closed by `HB`, each batch
///   acknowledged with `ACK n`; a batch, or a lone `HB` heartbeat, every
///   50 ms. It answers OK once both followers acknowledged the entry
///   (`naive`: at once, before any follower has it: the bug the
///   simulator finds).
/// - Followers keep their log on a Disk, which survives their crashes.
/// - A (re)started leader first recovers: it asks each follower for its
///   log (`FETCH`, answered with its entries and `END`), waits for both,
///   and keeps the longer; only then does it serve. A FETCH or a new REPL
///   session fences the follower's older sessions: a crashed leader's
///   packets still on the wire are not applied after a new leader read
///   the log.
///
/// Threads: each host's tasks on one thread (the state is shared by plain
/// shared_ptr between a host's tasks, without locks).

#include <pollen.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kv {

inline constexpr std::uint16_t kClientPort = 7000;   // UDP, the leader's
inline constexpr std::uint16_t kReplicaPort = 7001;  // TCP, a follower's

struct Entry {
    std::uint64_t seq = 0;  // 1, 2, 3... (the log's index + 1)
    std::string key;
    std::string value;
    bool operator==(const Entry&) const = default;
};

/// A follower's durable state (the simulated disk: held outside its tasks).
struct Disk {
    std::vector<Entry> log;
};

/// The leader's volatile state (a fresh one per start).
struct LeaderState {
    explicit LeaderState(bool naive_acks) : naive(naive_acks) {}
    bool naive;
    bool ready = false;     // recovered, serving
    bool diverged = false;  // a follower had entries the leader lacks
    std::vector<Entry> log;
    std::uint64_t acked[2] = {0, 0};  // each follower's acknowledged length
    pollen::watch::Sender<std::uint64_t> committed{pollen::watch::channel<std::uint64_t>(0).first};  // on both followers
    pollen::watch::Sender<std::uint64_t> length{pollen::watch::channel<std::uint64_t>(0).first};     // of the log
};

/// The leader's main task: recover from `followers` (two host names), then serve.
pollen::BoxFuture<void> leader(std::vector<std::string> followers, std::shared_ptr<LeaderState> state);
/// A follower's main task.
pollen::BoxFuture<void> follower(std::shared_ptr<Disk> disk);

/// A client: writes keys "c<id>-0", "c<id>-1"... to `leader_host` until
/// `stop_at`, each resent until acknowledged; appends each acknowledged
/// (key, value) to `acked`.
using Acked = std::vector<std::pair<std::string, std::string>>;
pollen::BoxFuture<void> client(std::string leader_host, int id, std::shared_ptr<Acked> acked,
                               pollen::time::Instant stop_at);

/// When on, the hosts and the scenario print what they do to stderr, each
/// line stamped with the virtual time ("  1.234s leader: recovered 17
/// entries"): what a replay of a failing seed is read with.
extern bool tracing;
void trace(const std::string& who, const std::string& what);

/// The key-value map a log describes (later entries win).
std::map<std::string, std::string> apply(const std::vector<Entry>& log);

}  // namespace kv
