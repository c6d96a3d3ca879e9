#pragma once
// session_commands: the commands that act on the connection rather than on
// the keyspace: pub/sub (SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
// PUBLISH, PUBSUB), HELLO, and the CONFIG parameters of the connection
// limits (client-output-buffer-limit, client-query-buffer-limit). The
// command table (commands.cpp) dispatches to them after its arity and
// subscribed-mode checks, with the same arguments as every handler.
//
// Replies are Redis 7.0's, byte for byte: the subscribe family's
// confirmations ([p]message pushes are queued by PubSub::publish), PUBSUB's
// subcommand errors and help, HELLO's RESP2 map (as an array of pairs);
// RESP3 is not spoken, so `HELLO 3` answers what Redis answers to a protocol
// version it does not know: -NOPROTO.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "resp.hpp"
#include "session.hpp"
#include "state.hpp"

namespace mini_redis::session_commands {

using Args = std::vector<std::string>;
using Replies = std::vector<resp::Value>;

void subscribe(State& state, Session& session, Args& args, Replies& replies);     // SUBSCRIBE channel...
void unsubscribe(State& state, Session& session, Args& args, Replies& replies);   // UNSUBSCRIBE [channel...]
void psubscribe(State& state, Session& session, Args& args, Replies& replies);    // PSUBSCRIBE pattern...
void punsubscribe(State& state, Session& session, Args& args, Replies& replies);  // PUNSUBSCRIBE [pattern...]
void publish(State& state, Session& session, Args& args, Replies& replies);       // PUBLISH channel message
void pubsub(State& state, Session& session, Args& args, Replies& replies);        // PUBSUB subcommand ...
void hello(State& state, Session& session, Args& args, Replies& replies);         // HELLO [protover [AUTH u p] [SETNAME n]]

/// The version HELLO (and INFO) give.
inline constexpr const char* kRedisVersion = "7.0.0";

/// CONFIG GET's view of the connection limits: Redis's names and values.
std::vector<std::pair<std::string, std::string>> config_values(const State& state);
/// CONFIG SET of one parameter: nullopt if `name` is not one of these;
/// otherwise "" once set, or Redis's words for a bad value (to follow
/// "ERR CONFIG SET failed (possibly related to argument '<name>') - ").
std::optional<std::string> config_set(State& state, std::string_view name, std::string_view value);

}  // namespace mini_redis::session_commands
