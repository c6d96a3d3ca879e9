#pragma once
// Pub/sub: the registry of who listens to what (PubSub) and each client's
// queue of messages to write (Outbox), as Redis keeps them: a channel or a
// pattern maps to the clients subscribed to it, and PUBLISH appends the
// encoded message to each one's output, counting its bytes against the
// `pubsub` output-buffer limit (output_limits.hpp). A subscription costs a
// registry entry and a name in the client's Session: bytes, not a buffer.
//
// An Outbox is one client's pending pub/sub output, shared by the
// publishers (any thread, under the PubSub lock, then the Outbox's own) and
// the client's connection (its task), which moves the bytes into its write
// buffer and tells the Outbox how much of that buffer the socket has not
// taken yet (`set_unflushed`), so that the limit sees both. A client past
// its limit is closed: its queue is dropped at once (the memory comes back
// while the task winds down), nothing more is queued for it, it no longer
// counts as a receiver, and its connection, woken, ends without writing more.
// The connection registers its waker with `take` (for messages and for the
// close) or `poll_closed` (while it waits on the socket, for the close only).
//
// Order, as Redis gives it: a SUBSCRIBE's confirmation comes before any
// message of the channel, and an UNSUBSCRIBE's after every message queued
// before it took effect. The (un)subscribing command marks the queue when its
// registration changes (under the registry lock, so in order with the
// publishers); the connection writes what precedes the mark before the
// command's replies and the rest after.
//
// PubSub is thread-safe. An Outbox must be removed from the registry
// (`remove`) before it is destroyed.
#include <pollen.hpp>

#include <atomic>
#include <functional>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "output_limits.hpp"

namespace mini_redis {

class Outbox {
public:
    Outbox() = default;
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    // ---- publishers

    /// Appends one message, given in pieces; then closes the client if its
    /// pending output passed `limit`. False if it was closed already.
    bool push(std::initializer_list<std::string_view> pieces, const OutputLimit& limit);

    // ---- the client's commands (its connection's thread)

    /// Marks the queue: `latest` moves an existing mark to the end (for an
    /// unsubscribe), otherwise the first mark of a command stays (a subscribe).
    void mark(bool latest);

    // ---- the client's connection

    enum class Taken { Nothing, Some, Closed };
    /// Moves the queued bytes to the end of `into` (only those before the
    /// mark if `to_mark`, and the mark goes). Nothing: the queue was empty,
    /// and `cx`'s waker is woken by the next push (not when `to_mark`).
    Taken take(std::string& into, bool to_mark, pollen::Context* cx);
    /// Whether a command marked the queue since the last take(to_mark).
    bool marked() const { return mark_.has_value(); }
    /// True once closed; otherwise `cx`'s waker is woken by the close.
    bool poll_closed(pollen::Context& cx);
    /// The bytes the connection holds and has not written yet.
    void set_unflushed(std::size_t n) { unflushed_.store(n, std::memory_order_relaxed); }
    /// The connection's own check of `limit` with `pending` bytes pending
    /// (its replies); closes and returns true if past it.
    bool check(std::uint64_t pending, const OutputLimit& limit);
    /// Bytes queued and not taken yet.
    std::size_t queued();

private:
    void close_locked();

    std::mutex mu_;
    std::string queue_;
    std::optional<std::size_t> mark_;  ///< used by the owner's thread only (written under mu_)
    std::optional<pollen::Waker> waker_;
    bool wants_messages_ = false;  ///< the waker waits for a push, not only for the close
    bool closed_ = false;
    OutputTracker tracker_;
    std::atomic<std::size_t> unflushed_{0};
};

class PubSub {
public:
    explicit PubSub(const OutputLimits& limits) : limits_(limits) {}

    /// Registers `who` for `channel` (it is not yet) and marks its queue.
    void subscribe(Outbox& who, const std::string& channel);
    /// Unregisters `who` from `channel` (it is registered) and marks its queue.
    void unsubscribe(Outbox& who, const std::string& channel);
    void psubscribe(Outbox& who, const std::string& pattern);
    void punsubscribe(Outbox& who, const std::string& pattern);
    /// Unregisters `who` from all of these, as its client leaves.
    void remove(Outbox& who, const std::set<std::string>& channels, const std::vector<std::string>& patterns);

    /// Queues `message` for every subscriber of `channel` and of each
    /// pattern matching it (one per subscription, as Redis counts them);
    /// returns how many received it.
    std::size_t publish(std::string_view channel, std::string_view message);

    /// PUBSUB CHANNELS: the channels with subscribers matching `pattern`
    /// (every one when nullopt), sorted.
    std::vector<std::string> channels(std::optional<std::string_view> pattern);
    /// PUBSUB NUMSUB: subscribers of `channel` (patterns not counted).
    std::size_t numsub(std::string_view channel);
    /// PUBSUB NUMPAT: distinct patterns with subscribers.
    std::size_t numpat();

private:
    /// Looked up by string_view: a PUBLISH copies no name.
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    };
    using Registry = std::unordered_map<std::string, std::vector<Outbox*>, NameHash, std::equal_to<>>;
    static void add(Registry& r, const std::string& name, Outbox& who);
    static void drop(Registry& r, const std::string& name, Outbox& who);

    const OutputLimits& limits_;
    std::mutex mu_;
    Registry channels_;
    Registry patterns_;
};

}  // namespace mini_redis
