#pragma once
/// The simulation of samples/simulation: the kv store (kv.hpp) on a
/// simulated network of five hosts (leader, f1, f2, client1, client2)
/// with jittery links and 5% UDP loss, under a nemesis that crashes and
/// restarts one replica at a time and cuts and repairs links, for 8 s of
/// virtual time; then 2 s of calm, and the checks:
/// - no acknowledged write is lost: each is in every replica's map;
/// - the replicas converge: the three logs are equal.
/// A broken check throws std::runtime_error saying which.

#include <pollen.hpp>

namespace kv {

struct ScenarioOptions {
    /// The leader acknowledges before replicating (kv::LeaderState::naive).
    bool naive = false;
};
// kv::tracing (kv.hpp) makes a run print what it does.

void scenario(pollen::Runtime& rt, const ScenarioOptions& options);

}  // namespace kv
