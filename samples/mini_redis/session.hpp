#pragma once
// Session: one connection's own state that commands change: its pub/sub
// subscriptions (SUBSCRIBE / PSUBSCRIBE and their UN- forms) and the Outbox
// its messages queue in, its name (CLIENT SETNAME, HELLO SETNAME), its
// transaction and watched keys (MULTI, WATCH; transaction.hpp), the reply
// it is blocked waiting for (BLPOP...; blocking.hpp), and whether it asked
// to QUIT.
//
// The subscriptions are names only: the registry (pubsub.hpp) holds the
// other half. The Outbox lives as long as the Session (one allocation per
// connection, made when it opens) and is unregistered by the connection
// before it goes. Used by its connection's task only.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pollen.hpp>

#include "pubsub.hpp"
#include "resp.hpp"
#include "transaction.hpp"

namespace mini_redis {

struct Session {
    std::uint64_t id = 0;
    std::optional<std::string> name;
    /// The channels, ordered, so that UNSUBSCRIBE with no argument answers in a stable order.
    std::set<std::string> subscriptions;
    /// The patterns, in the order they were subscribed to, which is the
    /// order in which Redis's PUNSUBSCRIBE with no argument answers.
    std::vector<std::string> patterns;
    std::unique_ptr<Outbox> outbox = std::make_unique<Outbox>();
    bool quit = false;
    Transaction tx;
    /// Set by a blocking command (BLPOP, BRPOP, BLMOVE) that found nothing
    /// to pop: the connection answers no other request until it is Ready
    /// with the reply.
    std::optional<pollen::BoxFuture<resp::Value>> blocked;

    /// In subscribed mode only (P)(UN)SUBSCRIBE, PING and QUIT are allowed.
    bool subscribed() const { return !subscriptions.empty() || !patterns.empty(); }
    /// The count that Redis's subscribe and unsubscribe replies carry.
    std::size_t subscription_count() const { return subscriptions.size() + patterns.size(); }
};

}  // namespace mini_redis
