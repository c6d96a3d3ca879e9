#pragma once
// State: what every mini_redis connection shares (Tokio mini-redis's
// `Db` handle): the keyspace, the pub/sub registry, and the limits the
// server runs under: the protocol's (resp::Limits, max_bulk being Redis's
// proto-max-bulk-len; fixed at start), the query buffers' (per client and
// in total) and the output buffers' (these two CONFIG SET may change, so
// they are atomics). Held by a shared_ptr in each connection.
#include <atomic>
#include <cstdint>

#include "db.hpp"
#include "output_limits.hpp"
#include "pubsub.hpp"
#include "resp.hpp"
#include "resp_codec.hpp"

namespace mini_redis {

struct State {
    Db db;
    OutputLimits output_limits;
    PubSub pubsub{output_limits};
    resp::Limits limits;
    QueryBuffers query_buffers;
    std::atomic<std::uint64_t> next_client_id{1};
};

}  // namespace mini_redis
