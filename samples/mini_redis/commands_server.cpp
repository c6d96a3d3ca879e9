// Connection and server commands: PING, ECHO, QUIT, SELECT, TIME, INFO,
// and what redis-cli and redis-benchmark send on connect (COMMAND, CONFIG,
// CLIENT).
#include <chrono>

#include "command_call.hpp"
#include "glob.hpp"
#include "session_commands.hpp"

namespace mini_redis::cmd {

void ping(Call& c) {
    if (c.args.size() > 2) {
        c.arity_error();
    } else if (c.session.subscribed()) {
        // RESP2 subscribers get PING's answer in the shape of a push.
        c.reply(resp::array({resp::bulk("pong"), resp::bulk(c.args.size() == 2 ? c.args[1] : "")}));
    } else if (c.args.size() == 2) {
        c.reply(resp::bulk(c.args[1]));
    } else {
        c.reply(resp::simple("PONG"));
    }
}

void echo(Call& c) { c.reply(resp::bulk(std::move(c.args[1]))); }

void quit(Call& c) {
    c.session.quit = true;
    c.ok();
}

void select(Call& c) {
    if (c.args[1] == "0") c.ok();
    else c.error("ERR DB index is out of range");
}

void time(Call& c) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    c.reply(resp::array({resp::bulk(std::to_string(us / 1'000'000)), resp::bulk(std::to_string(us % 1'000'000))}));
}

void info(Call& c) {
    c.reply(resp::bulk("# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\nexecutable:mini_redis\r\n"
                       "\r\n# Clients\r\nblocked_clients:" + std::to_string(c.db.blocked_clients()) +
                       "\r\n\r\n# Keyspace\r\ndb0:keys=" + std::to_string(c.db.size()) + "\r\n"));
}

void command(Call& c) {
    // redis-cli asks for COMMAND DOCS to offer hints; without any it uses
    // its built-in help. An empty answer is enough.
    if (c.args.size() >= 2 && equals_ci(c.args[1], "count")) return c.integer(0);
    c.reply(resp::array({}));
}

namespace {

/// The parameters CONFIG GET knows: Redis's names, mini_redis's values.
std::vector<std::pair<std::string, std::string>> config_values(const Call& c) {
    std::vector<std::pair<std::string, std::string>> values = {
        {"save", ""},
        {"appendonly", "no"},
        {"databases", "1"},
        {"maxmemory", "0"},
        {"maxmemory-policy", "noeviction"},
        {"proto-max-bulk-len", std::to_string(c.state.limits.max_bulk)},
        {"set-max-intset-entries", std::to_string(Set::kMaxIntsetEntries)},
    };
    // The connection limits, which CONFIG SET can change too.
    for (auto& v : session_commands::config_values(c.state)) values.push_back(std::move(v));
    return values;
}

/// Redis's configGetCommand: a name without `*?[` is looked up (and
/// answered under the name as given), anything else is a glob matched
/// without case; each parameter once.
void config_get(Call& c) {
    auto known = config_values(c);
    std::vector<std::pair<std::string, const std::string*>> found;
    auto seen = [&](std::string_view name) {
        return std::any_of(found.begin(), found.end(), [&](auto& f) { return equals_ci(f.first, name); });
    };
    for (std::size_t i = 2; i < c.args.size(); ++i) {
        const std::string& pattern = c.args[i];
        if (pattern.find_first_of("[*?") == std::string::npos) {
            if (seen(pattern)) continue;
            for (auto& [name, value] : known) {
                if (equals_ci(name, pattern)) found.emplace_back(pattern, &value);
            }
            continue;
        }
        for (auto& [name, value] : known) {
            if (!seen(name) && glob_match(pattern, name, true)) found.emplace_back(name, &value);
        }
    }
    std::vector<resp::Value> pairs;
    pairs.reserve(found.size() * 2);
    for (auto& [name, value] : found) {
        pairs.push_back(resp::bulk(name));
        pairs.push_back(resp::bulk(*value));
    }
    c.reply(resp::array(std::move(pairs)));
}

}  // namespace

void config(Call& c) {
    std::string sub = lower(c.args[1]);
    if (sub == "get") {
        if (c.args.size() < 3) return c.error("ERR wrong number of arguments for 'config|get' command");
        config_get(c);
    } else if (sub == "set") {
        if (c.args.size() < 4) return c.error("ERR wrong number of arguments for 'config|set' command");
        if (c.args.size() % 2 != 0) return c.syntax_error();  // name value pairs
        // The connection limits are set; the other parameters are accepted and ignored.
        for (std::size_t i = 2; i + 1 < c.args.size(); i += 2) {
            auto error = session_commands::config_set(c.state, c.args[i], c.args[i + 1]);
            if (error && !error->empty())
                return c.error("ERR CONFIG SET failed (possibly related to argument '" + c.args[i] + "') - " + *error);
        }
        c.ok();
    } else if (sub == "resetstat") {
        c.ok();
    } else {
        c.error("ERR unknown subcommand '" + c.args[1].substr(0, 128) + "'. Try CONFIG HELP.");
    }
}

void client(Call& c) {
    std::string sub = lower(c.args[1]);
    if (sub == "setname" && c.args.size() == 3) {
        const std::string& name = c.args[2];
        if (std::any_of(name.begin(), name.end(), [](char ch) { return ch <= ' ' || ch > '~'; }))
            return c.error("ERR Client names cannot contain spaces, newlines or special characters.");
        if (name.empty()) c.session.name.reset();
        else c.session.name = name;
        c.ok();
    } else if (sub == "getname") {
        c.reply(c.session.name ? resp::bulk(*c.session.name) : resp::null());
    } else if (sub == "id") {
        c.integer(static_cast<std::int64_t>(c.session.id));
    } else if (sub == "info" || sub == "list") {
        c.reply(resp::bulk("id=" + std::to_string(c.session.id) + " name=" + c.session.name.value_or("") +
                           " sub=" + std::to_string(c.session.subscriptions.size()) + "\n"));
    } else if (sub == "setinfo" || sub == "reply" || sub == "no-evict") {
        c.ok();
    } else {
        c.error("ERR unknown subcommand '" + c.args[1].substr(0, 128) + "'. Try CLIENT HELP.");
    }
}

}  // namespace mini_redis::cmd
