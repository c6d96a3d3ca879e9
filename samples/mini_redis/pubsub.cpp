// PubSub: channel name -> broadcast Sender (see pubsub.hpp).
#include "pubsub.hpp"

namespace mini_redis {

pollen::broadcast::Receiver<std::string> PubSub::subscribe(const std::string& channel) {
    std::lock_guard lock(mu_);
    auto it = channels_.find(channel);
    if (it == channels_.end()) {
        // The channel's first Receiver is the subscriber's own.
        auto [tx, rx] = pollen::broadcast::channel<std::string>(kCapacity);
        channels_.emplace(channel, std::move(tx));
        return std::move(rx);
    }
    return it->second.subscribe();
}

std::size_t PubSub::publish(const std::string& channel, std::string message) {
    // Sent under our lock so that the count agrees with concurrent
    // (un)subscribes: each one is wholly before or after this publish.
    std::lock_guard lock(mu_);
    auto it = channels_.find(channel);
    if (it == channels_.end()) return 0;
    auto sent = it->second.send(std::move(message));
    if (sent.is_err()) {
        channels_.erase(it);
        return 0;
    }
    return sent.value();
}

void PubSub::forget(const std::string& channel) {
    std::lock_guard lock(mu_);
    auto it = channels_.find(channel);
    if (it != channels_.end() && it->second.receiver_count() == 0) channels_.erase(it);
}

std::size_t PubSub::channels() {
    std::lock_guard lock(mu_);
    return channels_.size();
}

}  // namespace mini_redis
