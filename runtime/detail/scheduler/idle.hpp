#pragma once
/// Idle: the multi-thread scheduler's bookkeeping of workers that search for
/// work and of workers that sleep (Tokio's scheduler/multi_thread/idle.rs).
///
/// At most half of the workers search (steal) at once: more would only
/// contend. A producer that made work visible asks `worker_to_notify` for a
/// sleeper to unpark, and gets one only when nobody searches (a searcher
/// will find the work) and someone sleeps; the chosen worker is taken off
/// the sleepers and counted as searching before it even wakes. A worker
/// about to park announces it (`transition_worker_to_parked`), then looks
/// at every queue once more: both sides store, then fence, then load, so
/// either the producer sees the sleeper or the sleeper sees the work.
///
/// Threads: every member may be called from any thread; a worker's own
/// transitions come from the thread running that worker.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "../../../core/detail/adaptive_mutex.hpp"

namespace pollen::detail {

class Idle {
public:
    explicit Idle(std::size_t num_workers) : num_workers_(num_workers) {}

    /// A worker out of work may search; false when half of them already do.
    bool transition_worker_to_searching() {
        std::uint32_t searching = num_searching_.load(std::memory_order_seq_cst);
        if (2 * searching >= num_workers_) return false;
        num_searching_.fetch_add(1, std::memory_order_seq_cst);
        return true;
    }

    /// A searcher stops (it found work); true when it was the last one, so
    /// the caller should notify a sleeper: there may be more work.
    bool transition_worker_from_searching() {
        return num_searching_.fetch_sub(1, std::memory_order_seq_cst) == 1;
    }

    /// Producer side, after making work visible: the index of a sleeper to
    /// unpark, already taken off the sleepers and counted as searching; none
    /// when a worker searches or none sleeps.
    std::optional<std::size_t> worker_to_notify() {
        handshake_fence();
        if (num_searching_.load(std::memory_order_seq_cst) != 0) return std::nullopt;  // a searcher will find it
        if (num_sleeping_.load(std::memory_order_seq_cst) == 0) return std::nullopt;
        std::lock_guard lock(mu_);
        if (sleepers_.empty()) return std::nullopt;
        std::size_t index = sleepers_.back();
        sleepers_.pop_back();
        num_sleeping_.fetch_sub(1, std::memory_order_seq_cst);
        num_searching_.fetch_add(1, std::memory_order_seq_cst);  // it wakes up searching
        return index;
    }

    /// Worker `index` is about to park (it stops searching, if it was).
    /// Afterwards it must look at every queue once more before it sleeps, so
    /// that work pushed by a producer that saw it still awake is not stranded.
    void transition_worker_to_parked(std::size_t index, bool was_searching) {
        {
            std::lock_guard lock(mu_);
            if (was_searching) num_searching_.fetch_sub(1, std::memory_order_seq_cst);
            sleepers_.push_back(index);
            num_sleeping_.fetch_add(1, std::memory_order_seq_cst);
        }
        handshake_fence();
    }

    /// Worker `index` is awake again. True when a notifier took it off the
    /// sleepers (it is counted as searching now); false when it was still
    /// listed and took itself off.
    bool transition_worker_from_parked(std::size_t index) {
        std::lock_guard lock(mu_);
        auto it = std::find(sleepers_.begin(), sleepers_.end(), index);
        if (it == sleepers_.end()) return true;
        sleepers_.erase(it);
        num_sleeping_.fetch_sub(1, std::memory_order_seq_cst);
        return false;
    }

private:
    // The store-then-load handshake between a producer (push work, then look
    // for sleepers) and a parking worker (announce sleep, then look for work)
    // needs a full fence on both sides. TSan cannot model fences, so under it
    // both sides instead do a read-modify-write on one shared atomic, which
    // orders them too.
    void handshake_fence() {
#if defined(__SANITIZE_THREAD__)
        handshake_.fetch_add(1, std::memory_order_acq_rel);
#else
        std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
    }

    std::size_t num_workers_;
    AdaptiveMutex mu_;
    std::vector<std::size_t> sleepers_;  // indices of parked workers, under mu_
    std::atomic<std::uint32_t> num_searching_{0};
    std::atomic<std::uint32_t> num_sleeping_{0};
    std::atomic<std::uint32_t> handshake_{0};
};

}  // namespace pollen::detail
