#include "scenario.hpp"

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kv.hpp"

using namespace pollen;
using namespace std::chrono_literals;

namespace kv {

namespace {

const std::array<const char*, 3> kReplicas = {"leader", "f1", "f2"};
const std::array<const char*, 5> kHosts = {"leader", "f1", "f2", "client1", "client2"};

/// The faults: every 0.2 to 1 s one of crash (a replica, one at a time),
/// restart, cut a link, repair every link; until `until`, then heals all.
struct Nemesis : Async<Nemesis, void> {
    sim::Network* net;
    time::Instant until;
    std::optional<std::string> down;
    std::vector<std::pair<std::string, std::string>> cut;
    POLLEN_FRAME;
    Nemesis(sim::Network* n, time::Instant u) : net(n), until(u) {}
    void heal() {
        trace("nemesis", "heal: repair all, restart what is down");
        for (auto& [a, b] : cut) net->repair(a, b);
        cut.clear();
        if (down) net->restart(*down);
        down.reset();
    }
    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        while (time::Instant::now() < until) {
            POLLEN_AWAIT(time::sleep(std::chrono::milliseconds(200 + sim::random_below(800))));
            switch (sim::random_below(4)) {
                case 0:
                    if (!down) {
                        down = kReplicas[sim::random_below(kReplicas.size())];
                        trace("nemesis", "crash " + *down);
                        net->crash(*down);
                    }
                    break;
                case 1:
                    if (down) {
                        trace("nemesis", "restart " + *down);
                        net->restart(*down);
                    }
                    down.reset();
                    break;
                case 2: {
                    std::size_t a = sim::random_below(kHosts.size());
                    std::size_t b = (a + 1 + sim::random_below(kHosts.size() - 1)) % kHosts.size();
                    cut.emplace_back(kHosts[a], kHosts[b]);
                    trace("nemesis", std::string("partition ") + kHosts[a] + " " + kHosts[b]);
                    net->partition(kHosts[a], kHosts[b]);
                    break;
                }
                default:
                    if (!cut.empty()) trace("nemesis", "repair all");
                    for (auto& [a, b] : cut) net->repair(a, b);
                    cut.clear();
                    break;
            }
        }
        heal();
        POLLEN_END;
    }
};

std::string describe(const Entry& e) { return std::to_string(e.seq) + ":" + e.key + "=" + e.value; }

}  // namespace

void scenario(Runtime& rt, const ScenarioOptions& options) {
    sim::LinkConfig link;
    link.min_latency = 1ms;
    link.max_latency = 10ms;
    link.udp_loss = 0.05;
    sim::Network net(link);

    auto f1 = std::make_shared<Disk>();
    auto f2 = std::make_shared<Disk>();
    auto current_leader = std::make_shared<std::shared_ptr<LeaderState>>();
    net.host("f1", [f1] { return follower(f1); });
    net.host("f2", [f2] { return follower(f2); });
    net.host("leader", [current_leader, naive = options.naive] {
        *current_leader = std::make_shared<LeaderState>(naive);
        return leader({"f1", "f2"}, *current_leader);
    });

    time::Instant start = time::Instant::now();
    auto acked = std::make_shared<Acked>();
    auto c1 = net.client("client1", client("leader", 1, acked, start + 8s));
    auto c2 = net.client("client2", client("leader", 2, acked, start + 8s));
    rt.block_on(Nemesis(&net, start + 8s));
    for (auto* c : {&c1, &c2}) {
        auto joined = rt.block_on(std::move(*c));
        if (!joined) throw std::runtime_error("a client failed: " + joined.error().what());
    }
    rt.block_on(time::sleep(2s));  // calm: the replicas catch up

    const LeaderState& l = **current_leader;
    if (!l.ready) throw std::runtime_error("the leader did not recover within 2 s of calm");
    if (l.diverged) throw std::runtime_error("a follower had entries the leader lacked");
    auto maps = {std::pair{"leader", apply(l.log)}, std::pair{"f1", apply(f1->log)}, std::pair{"f2", apply(f2->log)}};
    for (const auto& [key, value] : *acked) {
        for (const auto& [who, map] : maps) {
            auto it = map.find(key);
            if (it == map.end() || it->second != value)
                throw std::runtime_error("acknowledged write lost: " + key + "=" + value + " is " +
                                         (it == map.end() ? std::string("missing") : "'" + it->second + "'") +
                                         " on " + who + " (" + std::to_string(acked->size()) +
                                         " writes acknowledged, leader log " + std::to_string(l.log.size()) + ")");
        }
    }
    for (const auto* disk : {f1.get(), f2.get()}) {
        if (disk->log != l.log) {
            std::size_t i = 0;
            while (i < disk->log.size() && i < l.log.size() && disk->log[i] == l.log[i]) ++i;
            throw std::runtime_error("replicas diverge at entry " + std::to_string(i + 1) + ": leader has " +
                                     (i < l.log.size() ? describe(l.log[i]) : "nothing") + ", " +
                                     (disk == f1.get() ? "f1" : "f2") + " has " +
                                     (i < disk->log.size() ? describe(disk->log[i]) : "nothing"));
        }
    }
    // No write acknowledged at all is no failure: a seed may keep the leader
    // down or cut off for most of the run.
}

}  // namespace kv
