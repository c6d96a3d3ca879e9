// Pub/sub and connection commands: PUBLISH, SUBSCRIBE, UNSUBSCRIBE,
// PSUBSCRIBE, PUNSUBSCRIBE, PUBSUB and HELLO. They act on the connection
// rather than on the keyspace, so their bodies live in session_commands.cpp
// (the registry is pubsub.hpp; the connection delivers the messages from
// its Outbox); these are the table's entries for them.
#include "command_call.hpp"
#include "session_commands.hpp"

namespace mini_redis::cmd {

namespace {

template <void (*F)(State&, Session&, session_commands::Args&, session_commands::Replies&)>
void forward(Call& c) {
    F(c.state, c.session, c.args, c.replies);
}

}  // namespace

void publish(Call& c) { forward<session_commands::publish>(c); }
void subscribe(Call& c) { forward<session_commands::subscribe>(c); }
void unsubscribe(Call& c) { forward<session_commands::unsubscribe>(c); }
void psubscribe(Call& c) { forward<session_commands::psubscribe>(c); }
void punsubscribe(Call& c) { forward<session_commands::punsubscribe>(c); }
void pubsub(Call& c) { forward<session_commands::pubsub>(c); }
void hello(Call& c) { forward<session_commands::hello>(c); }

}  // namespace mini_redis::cmd
