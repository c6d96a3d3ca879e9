#pragma once
/// OwnedTasks: every task a runtime has spawned and not yet completed, so that
/// shutdown can destroy them all. Sharded intrusive lists (one lock per shard)
/// keep spawns from different threads off each other's locks; each shard has
/// its own cache line, so two workers' spawns do not bounce one line either.

#include <array>
#include <atomic>
#include <cstddef>
#include <mutex>

#include "../../../core/detail/adaptive_mutex.hpp"

#include "cell.hpp"

namespace pollen::detail {

class OwnedTasks {
public:
    /// Links a new task; false once the list is closed (the runtime shuts down).
    bool bind(Header* task);
    /// Unlinks a completed task; true when it was still linked (its list
    /// reference then belongs to the caller).
    bool remove(Header* task);
    /// Closes the list and hands every linked task to `fn` (unlinked, with its
    /// list reference), one at a time, until none is left.
    template <class Fn>
    void close_and_drain(Fn&& fn) {
        closed_.store(true, std::memory_order_release);
        for (Shard& s : shards_) {
            std::unique_lock lock(s.mu);
            s.closed = true;
            while (Header* t = s.head) {
                unlink(s, t);
                lock.unlock();
                fn(t);
                lock.lock();
            }
        }
    }
    std::size_t alive() const {
        std::size_t n = 0;
        for (const Shard& s : shards_) n += s.len.load(std::memory_order_relaxed);
        return n;
    }
    bool is_closed() const { return closed_.load(std::memory_order_acquire); }
    /// Calls fn(const Header&) for each linked task, under the shard locks.
    template <class Fn>
    void for_each(Fn&& fn) {
        for (Shard& s : shards_) {
            std::lock_guard lock(s.mu);
            for (Header* t = s.head; t; t = t->owned_next) fn(*t);
        }
    }

private:
    struct alignas(64) Shard {
        AdaptiveMutex mu;
        Header* head = nullptr;
        bool closed = false;
        /// Written under `mu` only (a load and a store, no locked
        /// instruction on the spawn path), read by alive() without it.
        std::atomic<std::size_t> len{0};
    };
    static constexpr std::size_t kShards = 16;
    Shard& shard_of(const Header* t) { return shards_[t->id % kShards]; }
    void unlink(Shard& s, Header* t);

    std::array<Shard, kShards> shards_;
    std::atomic<bool> closed_{false};
};

}  // namespace pollen::detail
