// session_commands: pub/sub, HELLO and the connection limits' CONFIG
// parameters (see session_commands.hpp).
#include "session_commands.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cstdint>
#include <string>

#include "numbers.hpp"
#include "output_limits.hpp"

namespace mini_redis::session_commands {
namespace {

bool equals_ci(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

/// Redis's string2ll: the canonical form only ("02", "+2", " 2" are not).
bool canonical_int(std::string_view s, std::int64_t& out) {
    if (s.empty() || s.size() > 20) return false;
    std::size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size() || (s[i] == '0' && s.size() > 1)) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

/// `*3 $kind $name :count`: the confirmation of each (un)subscription.
void confirm(Replies& replies, const char* kind, const std::string* name, std::size_t count) {
    replies.push_back(resp::array({resp::bulk(kind), name ? resp::bulk(*name) : resp::null(),
                                   resp::integer(static_cast<std::int64_t>(count))}));
}

const char* const kPubsubHelp[] = {
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
};

}  // namespace

void subscribe(State& state, Session& session, Args& args, Replies& replies) {
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& channel = args[i];
        if (session.subscriptions.insert(channel).second) state.pubsub.subscribe(*session.outbox, channel);
        confirm(replies, "subscribe", &channel, session.subscription_count());
    }
}

void unsubscribe(State& state, Session& session, Args& args, Replies& replies) {
    if (args.size() == 1) {
        if (session.subscriptions.empty()) return confirm(replies, "unsubscribe", nullptr, session.subscription_count());
        while (!session.subscriptions.empty()) {
            auto node = session.subscriptions.extract(session.subscriptions.begin());
            state.pubsub.unsubscribe(*session.outbox, node.value());
            confirm(replies, "unsubscribe", &node.value(), session.subscription_count());
        }
        return;
    }
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& channel = args[i];
        if (session.subscriptions.erase(channel)) state.pubsub.unsubscribe(*session.outbox, channel);
        confirm(replies, "unsubscribe", &channel, session.subscription_count());
    }
}

void psubscribe(State& state, Session& session, Args& args, Replies& replies) {
    auto& patterns = session.patterns;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& pattern = args[i];
        if (std::find(patterns.begin(), patterns.end(), pattern) == patterns.end()) {
            patterns.push_back(pattern);
            state.pubsub.psubscribe(*session.outbox, pattern);
        }
        confirm(replies, "psubscribe", &pattern, session.subscription_count());
    }
}

void punsubscribe(State& state, Session& session, Args& args, Replies& replies) {
    auto& patterns = session.patterns;
    if (args.size() == 1) {
        if (patterns.empty()) return confirm(replies, "punsubscribe", nullptr, session.subscription_count());
        while (!patterns.empty()) {
            std::string pattern = std::move(patterns.front());
            patterns.erase(patterns.begin());
            state.pubsub.punsubscribe(*session.outbox, pattern);
            confirm(replies, "punsubscribe", &pattern, session.subscription_count());
        }
        return;
    }
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& pattern = args[i];
        auto it = std::find(patterns.begin(), patterns.end(), pattern);
        if (it != patterns.end()) {
            patterns.erase(it);
            state.pubsub.punsubscribe(*session.outbox, pattern);
        }
        confirm(replies, "punsubscribe", &pattern, session.subscription_count());
    }
}

void publish(State& state, Session&, Args& args, Replies& replies) {
    replies.push_back(resp::integer(static_cast<std::int64_t>(state.pubsub.publish(args[1], args[2]))));
}

void pubsub(State& state, Session&, Args& args, Replies& replies) {
    const std::string& sub = args[1];
    auto syntax_error = [&] {
        replies.push_back(resp::error("ERR unknown subcommand or wrong number of arguments for '" +
                                      sub.substr(0, 128) + "'. Try PUBSUB HELP."));
    };
    auto arity_error = [&](const char* name) {
        replies.push_back(resp::error(std::string("ERR wrong number of arguments for 'pubsub|") + name + "' command"));
    };
    if (equals_ci(sub, "channels") || equals_ci(sub, "shardchannels")) {
        if (args.size() > 3) return syntax_error();
        std::vector<resp::Value> names;
        if (equals_ci(sub, "channels")) {
            std::optional<std::string_view> pattern;
            if (args.size() == 3) pattern = args[2];
            for (auto& name : state.pubsub.channels(pattern)) names.push_back(resp::bulk(std::move(name)));
        }
        replies.push_back(resp::array(std::move(names)));  // no shard channels outside a cluster
    } else if (equals_ci(sub, "numsub") || equals_ci(sub, "shardnumsub")) {
        const bool shard = equals_ci(sub, "shardnumsub");
        std::vector<resp::Value> pairs;
        for (std::size_t i = 2; i < args.size(); ++i) {
            pairs.push_back(resp::bulk(args[i]));
            pairs.push_back(resp::integer(shard ? 0 : static_cast<std::int64_t>(state.pubsub.numsub(args[i]))));
        }
        replies.push_back(resp::array(std::move(pairs)));
    } else if (equals_ci(sub, "numpat")) {
        if (args.size() != 2) return arity_error("numpat");
        replies.push_back(resp::integer(static_cast<std::int64_t>(state.pubsub.numpat())));
    } else if (equals_ci(sub, "help")) {
        if (args.size() != 2) return arity_error("help");
        std::vector<resp::Value> lines;
        for (const char* line : kPubsubHelp) lines.push_back(resp::simple(line));
        replies.push_back(resp::array(std::move(lines)));
    } else {
        replies.push_back(resp::error("ERR unknown subcommand '" + sub.substr(0, 128) + "'. Try PUBSUB HELP."));
    }
}

// Redis's helloCommand, for a server that speaks RESP2 only.
void hello(State&, Session& session, Args& args, Replies& replies) {
    if (args.size() >= 2) {
        std::int64_t version = 0;
        if (!canonical_int(args[1], version))
            return replies.push_back(resp::error("ERR Protocol version is not an integer or out of range"));
        if (version != 2) return replies.push_back(resp::error("NOPROTO unsupported protocol version"));
    }
    const std::string* name = nullptr;
    for (std::size_t i = 2; i < args.size(); ++i) {
        const std::size_t more = args.size() - 1 - i;
        if (equals_ci(args[i], "auth") && more >= 2) {
            // No users but Redis's default one, which has no password.
            if (args[i + 1] != "default")
                return replies.push_back(
                    resp::error("WRONGPASS invalid username-password pair or user is disabled."));
            i += 2;
        } else if (equals_ci(args[i], "setname") && more >= 1) {
            name = &args[++i];
        } else {
            return replies.push_back(resp::error("ERR Syntax error in HELLO option '" + args[i] + "'"));
        }
    }
    if (name) {
        if (std::any_of(name->begin(), name->end(), [](char ch) { return ch <= ' ' || ch > '~'; }))
            return replies.push_back(
                resp::error("ERR Client names cannot contain spaces, newlines or special characters."));
        if (name->empty()) session.name.reset();
        else session.name = *name;
    }
    replies.push_back(resp::array({
        resp::bulk("server"), resp::bulk("redis"),
        resp::bulk("version"), resp::bulk(kRedisVersion),
        resp::bulk("proto"), resp::integer(2),
        resp::bulk("id"), resp::integer(static_cast<std::int64_t>(session.id)),
        resp::bulk("mode"), resp::bulk("standalone"),
        resp::bulk("role"), resp::bulk("master"),
        resp::bulk("modules"), resp::array({}),
    }));
}

std::vector<std::pair<std::string, std::string>> config_values(const State& state) {
    return {
        {"client-output-buffer-limit", state.output_limits.to_string()},
        {"client-query-buffer-limit", std::to_string(state.query_buffers.per_client.load())},
        {"maxclients", std::to_string(state.maxclients.load())},
        {"timeout", std::to_string(state.timeout_seconds.load())},
    };
}

namespace {

/// Redis's integer config parameters: `value` as an integer in [min, max],
/// or Redis's words for why not.
std::optional<std::string> config_integer(std::string_view value, long long min, long long max, long long& out) {
    if (!num::parse_ll(value, out)) return "argument couldn't be parsed into an integer";
    if (out < min || out > max)
        return "argument must be between " + std::to_string(min) + " and " + std::to_string(max) + " inclusive";
    return std::nullopt;
}

}  // namespace

std::optional<std::string> config_set(State& state, std::string_view name, std::string_view value) {
    if (equals_ci(name, "client-output-buffer-limit")) {
        if (auto error = state.output_limits.set(value)) return *error;
        return "";
    }
    if (equals_ci(name, "client-query-buffer-limit")) {
        auto n = parse_memory(value);
        if (!n || *n < (1u << 20) || *n > static_cast<std::uint64_t>(INT64_MAX))
            return "argument must be between 1048576 and 9223372036854775807 inclusive";
        state.query_buffers.per_client.store(static_cast<std::size_t>(*n));
        return "";
    }
    long long n = 0;
    if (equals_ci(name, "maxclients")) {
        if (auto error = config_integer(value, 1, UINT32_MAX, n)) return *error;
        state.maxclients.store(static_cast<std::size_t>(n));
        return "";
    }
    if (equals_ci(name, "timeout")) {
        if (auto error = config_integer(value, 0, INT32_MAX, n)) return *error;
        state.timeout_seconds.store(static_cast<std::uint32_t>(n));
        return "";
    }
    return std::nullopt;
}

}  // namespace mini_redis::session_commands
