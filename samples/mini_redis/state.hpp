#pragma once
// State: what every mini_redis connection shares (Tokio mini-redis's
// `Db` handle): the keyspace, the pub/sub registry, and the limits the
// server runs under: the protocol's (resp::Limits, max_bulk being Redis's
// proto-max-bulk-len; fixed at start), the query buffers' (per client and
// in total) and the output buffers' (these two CONFIG SET may change, so
// they are atomics), and the connection bounds maxclients and timeout
// (atomics too). Held by a shared_ptr in each connection.
#include <atomic>
#include <cstddef>
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
    /// Redis's maxclients: net::serve reads it at each accept and turns
    /// newcomers past it away with "-ERR max number of clients reached".
    std::atomic<std::size_t> maxclients{10000};
    /// Redis's timeout: a client idle this many seconds is closed (0: never);
    /// each connection reads it as it waits.
    std::atomic<std::uint32_t> timeout_seconds{0};
};

}  // namespace mini_redis
