#pragma once
// Blocking list commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH): a client that
// finds every list empty waits, without holding a thread, until a push
// serves it or its timeout passes.
//
// A Waiter is the blocked request: the keys in the order given, which end
// to pop, and for BLMOVE where to push. It sits in the keyspace's FIFO of
// each of its keys (Keyspace::block). When a command creates a list where
// clients wait, the key becomes ready, and at the end of that command
// (under the same lock) Keyspace::serve_blocked pops for the waiters in the
// order they blocked, as Redis's handleClientsBlockedOnKeys does: each gets
// its reply through a oneshot channel and leaves every queue. So LPUSH k a b
// with two clients in BLPOP k serves b to the first and a to the second, and
// the pusher's reply (2) counts both elements.
//
// BlockedWait is the future the connection polls while its client is
// blocked (Session::blocked): Ready with the reply once served, or with the
// null array (`*-1`, Redis's answer) once the timeout passes; timeout 0
// waits forever. The timeout and the serving race under the Db lock: a
// timeout that finds the Waiter already served takes the value that was
// sent instead, so no element is ever lost between the two. Destroying it
// mid-way (the client left, the server stops) takes the Waiter off its
// queues. Single-threaded, like the connection that owns it; it must not be
// moved after its first poll (its Sleep), so it travels boxed.
#include <pollen.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db.hpp"
#include "resp.hpp"

namespace mini_redis {

enum class End { Left, Right };

struct Waiter {
    std::vector<std::string> keys;
    End from = End::Left;
    std::optional<std::string> dest;  ///< BLMOVE's destination
    End to = End::Left;
    pollen::oneshot::Sender<resp::Value> reply;
    bool served = false;
};

class BlockedWait : public pollen::FutureExt<BlockedWait> {
public:
    using Output = resp::Value;

    /// `timeout_ms` 0 waits forever.
    BlockedWait(Db& db, std::shared_ptr<Waiter> waiter, pollen::oneshot::Receiver<resp::Value> rx,
                std::int64_t timeout_ms);
    ~BlockedWait();
    BlockedWait(BlockedWait&&) = default;

    pollen::Poll<resp::Value> poll(pollen::Context& cx);

private:
    Db* db_;
    std::shared_ptr<Waiter> waiter_;
    pollen::oneshot::Receiver<resp::Value> rx_;
    std::optional<pollen::time::Sleep> sleep_;
    bool done_ = false;
};

/// Pops from `end` of a non-empty list.
std::string list_pop(List& list, End end);
/// Pushes onto `end` of `dest`'s list, creating it (and making it ready)
/// when missing. `dest_it` is find(dest): end() or a list.
void list_push(Keyspace& ks, Keyspace::iterator dest_it, const std::string& dest, std::string value, End end);

}  // namespace mini_redis
