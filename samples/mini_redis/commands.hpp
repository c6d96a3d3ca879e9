#pragma once
// commands: mini_redis's command table. `execute` runs one request against
// the shared State and the connection's Session and appends its replies to
// `replies`, as frames for the connection's encoder (Tokio mini-redis's
// `Command::apply`): one reply, or one per channel for (UN)SUBSCRIBE, or
// none for a blocking command that must wait (BLPOP on empty lists): it
// then leaves its reply future in `session.blocked` for the connection to
// poll. Nothing else waits: every other command is answered at once
// (SUBSCRIBE only registers a Receiver; the connection delivers messages).
//
// Each command runs under one Db lock (MULTI's queue, at EXEC, under one
// for all), so it is atomic, and the clients blocked on keys it filled are
// served before the lock is released, as Redis serves them after the
// command. Inside MULTI a command is only checked and queued.
//
// The replies, error texts included, are Redis 7.0's, so redis-cli and
// redis-benchmark work unchanged and a client sees the same bytes as from
// redis-server (test/samples_mini_redis_commands_test.cpp compares them):
// arity errors, "ERR unknown command", WRONGTYPE, integer and float
// parsing, the subscribed-mode restriction, and the handful of
// introspection commands the tools send on connect (COMMAND, CONFIG GET,
// CLIENT ...). The handlers live in commands_<group>.cpp, one file per data
// type or concern; commands.cpp holds the table and the dispatch.
#include <optional>
#include <string>
#include <vector>

#include "session.hpp"
#include "state.hpp"

namespace mini_redis {

/// `args` is non-empty; args[0] is the command name, in any case. It may
/// move arguments out of `args`. `db` is the keyspace's lock: taken here
/// when a command needs it and `db` is empty, else the caller's, held from
/// an earlier request of the same batch; the caller releases it before it
/// waits for anything.
void execute(State& state, Session& session, std::optional<Db::Guard>& db, std::vector<std::string>& args,
             std::vector<resp::Value>& replies);

}  // namespace mini_redis
