// Pub/sub commands: PUBLISH, SUBSCRIBE, UNSUBSCRIBE (the registry is
// pubsub.hpp; the connection delivers the messages).
#include <memory>

#include "command_call.hpp"

namespace mini_redis::cmd {

void publish(Call& c) {
    c.integer(static_cast<std::int64_t>(c.state.pubsub.publish(c.args[1], std::move(c.args[2]))));
}

namespace {

void push_reply(Call& c, std::string kind, const std::string* channel, std::size_t count) {
    c.reply(resp::array({resp::bulk(std::move(kind)), channel ? resp::bulk(*channel) : resp::null(),
                         resp::integer(static_cast<std::int64_t>(count))}));
}

}  // namespace

void subscribe(Call& c) {
    auto& subs = c.session.subscriptions;
    for (std::size_t i = 1; i < c.args.size(); ++i) {
        const std::string& channel = c.args[i];
        if (!subs.count(channel))
            subs.emplace(channel, std::make_unique<Subscription>(c.state.pubsub.subscribe(channel)));
        push_reply(c, "subscribe", &channel, subs.size());
    }
}

void unsubscribe(Call& c) {
    auto& subs = c.session.subscriptions;
    std::vector<std::string> channels(c.args.begin() + 1, c.args.end());
    if (channels.empty()) {
        for (auto& [name, sub] : subs) channels.push_back(name);
        if (channels.empty()) return push_reply(c, "unsubscribe", nullptr, 0);
    }
    for (const auto& channel : channels) {
        if (subs.erase(channel)) c.state.pubsub.forget(channel);
        push_reply(c, "unsubscribe", &channel, subs.size());
    }
}

}  // namespace mini_redis::cmd
