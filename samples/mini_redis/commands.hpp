#pragma once
// commands: mini_redis's command table. `execute` runs one request against
// the shared State and the connection's Session and appends its replies to
// `replies`, as frames for the connection's encoder (Tokio mini-redis's
// `Command::apply`): one reply, or one per channel for (UN)SUBSCRIBE. It
// never waits: every command is answered at once (SUBSCRIBE only registers a
// Receiver; the messages are delivered by the connection).
//
// The replies, error texts included, are Redis 7's, so redis-cli and
// redis-benchmark work unchanged: arity errors, "ERR unknown command",
// "ERR value is not an integer or out of range", the subscribed-mode
// restriction, and the handful of introspection commands the tools send on
// connect (COMMAND, COMMAND DOCS, CONFIG GET save/appendonly, CLIENT ...).
#include <string>
#include <vector>

#include "session.hpp"
#include "state.hpp"

namespace mini_redis {

/// `args` is non-empty; args[0] is the command name, in any case. It may
/// move arguments out of `args`.
void execute(State& state, Session& session, std::vector<std::string>& args, std::vector<resp::Value>& replies);

}  // namespace mini_redis
