#pragma once
// State: what every mini_redis connection shares (Tokio mini-redis's
// `Db` handle): the keyspace, the pub/sub channels, and the protocol limits
// the server was started with. Held by a shared_ptr in each connection.
#include <atomic>
#include <cstdint>

#include "db.hpp"
#include "pubsub.hpp"
#include "resp.hpp"

namespace mini_redis {

struct State {
    Db db;
    PubSub pubsub;
    resp::Limits limits;
    std::atomic<std::uint64_t> next_client_id{1};
};

}  // namespace mini_redis
