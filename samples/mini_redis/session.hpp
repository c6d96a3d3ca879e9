#pragma once
// Session: one connection's own state that commands change: its
// subscriptions (SUBSCRIBE / UNSUBSCRIBE), its name (CLIENT SETNAME), its
// transaction and watched keys (MULTI, WATCH; transaction.hpp), the reply
// it is blocked waiting for (BLPOP...; blocking.hpp), and whether it asked
// to QUIT.
//
// A Subscription is a broadcast Receiver plus the recv() future in flight
// on it (a Slot: empty again once a message is taken). recv() borrows the
// Receiver and must not move once polled, so each Subscription lives in its
// own heap box and is never moved.
#include <pollen.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "resp.hpp"
#include "transaction.hpp"

namespace mini_redis {

struct Subscription {
    explicit Subscription(pollen::broadcast::Receiver<std::string> r) : rx(std::move(r)) {}
    pollen::broadcast::Receiver<std::string> rx;
    // Declared after rx: destroyed first, while the Receiver it borrows lives.
    pollen::Slot<pollen::broadcast::Recv<std::string>> recv;
};

struct Session {
    std::uint64_t id = 0;
    std::optional<std::string> name;
    /// Ordered, so that UNSUBSCRIBE with no argument answers in a stable order.
    std::map<std::string, std::unique_ptr<Subscription>> subscriptions;
    bool quit = false;
    Transaction tx;
    /// Set by a blocking command (BLPOP, BRPOP, BLMOVE) that found nothing
    /// to pop: the connection answers no other request until it is Ready
    /// with the reply.
    std::optional<pollen::BoxFuture<resp::Value>> blocked;

    /// In subscribed mode only (UN)SUBSCRIBE, PING and QUIT are allowed.
    bool subscribed() const { return !subscriptions.empty(); }
};

}  // namespace mini_redis
