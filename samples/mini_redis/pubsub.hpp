#pragma once
// PubSub: mini_redis's channels, one broadcast channel per channel name
// (Tokio mini-redis's `pub_sub` map of `broadcast::Sender`s).
//
// SUBSCRIBE takes a broadcast Receiver of the channel, creating the channel
// on first use; PUBLISH sends on it and answers how many receivers it
// reached, which is Redis's "number of clients that received the message".
// A channel nobody listens to any more is removed, by `forget` after an
// unsubscribe, or by the next PUBLISH that finds no receiver.
//
// A subscriber that falls more than kCapacity messages behind loses the
// oldest ones (broadcast's Lagged), so a slow client costs bounded memory;
// Redis would disconnect it instead. Thread-safe.
#include <pollen.hpp>

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mini_redis {

class PubSub {
public:
    static constexpr std::size_t kCapacity = 1024;

    pollen::broadcast::Receiver<std::string> subscribe(const std::string& channel);
    /// Sends to every current subscriber of `channel`; returns how many.
    std::size_t publish(const std::string& channel, std::string message);
    /// Call after dropping a Receiver of `channel`: removes the channel if it
    /// has no receiver left.
    void forget(const std::string& channel);
    /// Channels with at least one subscriber.
    std::size_t channels();

private:
    std::mutex mu_;
    std::unordered_map<std::string, pollen::broadcast::Sender<std::string>> channels_;
};

}  // namespace mini_redis
