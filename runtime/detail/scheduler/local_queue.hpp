#pragma once
/// LocalQueue: a worker's bounded run queue (Tokio's local queue). The owner
/// pushes at the tail and pops at the head (FIFO); other workers steal half
/// of it at once from the head. The head word packs two indices: `real` (the
/// next task to hand out) and `steal` (where an in-progress steal started);
/// while they differ a thief is copying, and the owner won't overwrite those
/// slots. When full, the owner moves half of the queue to the global inject
/// queue in one batch (`overflow`).

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "../task/cell.hpp"

namespace pollen::detail {

class LocalQueue {
public:
    static constexpr std::uint32_t kCapacity = 256;

    /// Owner only. Returns false when full (then call take_half_for_overflow).
    bool try_push(Header* task) {
        std::uint64_t head = head_.load(std::memory_order_acquire);
        std::uint32_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - steal_of(head) >= kCapacity) return false;
        buffer_[tail & kMask].store(task, std::memory_order_relaxed);
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }

    /// Owner only, on a full queue: claims the older half and appends it to
    /// `out` (to go to the inject queue). False if a thief is busy (then the
    /// queue will have room shortly: push the task to the inject queue).
    bool take_half_for_overflow(std::vector<Header*>& out) {
        std::uint64_t head = head_.load(std::memory_order_acquire);
        std::uint32_t steal = steal_of(head), real = real_of(head);
        if (steal != real) return false;
        std::uint32_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - real < kCapacity) return false;  // a thief made room
        constexpr std::uint32_t half = kCapacity / 2;
        if (!head_.compare_exchange_strong(head, pack(real + half, real + half),
                                           std::memory_order_acq_rel, std::memory_order_acquire))
            return false;
        for (std::uint32_t i = 0; i < half; ++i)
            out.push_back(buffer_[(real + i) & kMask].load(std::memory_order_relaxed));
        return true;
    }

    /// Owner only.
    Header* pop() {
        std::uint64_t head = head_.load(std::memory_order_acquire);
        for (;;) {
            std::uint32_t steal = steal_of(head), real = real_of(head);
            if (real == tail_.load(std::memory_order_relaxed)) return nullptr;
            std::uint64_t next = steal == real ? pack(real + 1, real + 1) : pack(steal, real + 1);
            if (head_.compare_exchange_weak(head, next, std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                return buffer_[real & kMask].load(std::memory_order_relaxed);
        }
    }

    /// Called by the owner of `dst`: moves half of this queue's tasks into
    /// `dst` and returns one of them to run now (null if nothing was stolen).
    Header* steal_into(LocalQueue& dst) {
        std::uint32_t dst_tail = dst.tail_.load(std::memory_order_relaxed);
        if (dst_tail - steal_of(dst.head_.load(std::memory_order_acquire)) > kCapacity / 2)
            return nullptr;  // dst is busy enough

        // Claim [real, real + n) by advancing `real` while `steal` stays put.
        std::uint64_t head = head_.load(std::memory_order_acquire);
        std::uint32_t first, n;
        for (;;) {
            std::uint32_t steal = steal_of(head), real = real_of(head);
            if (steal != real) return nullptr;  // another thief is at work
            std::uint32_t tail = tail_.load(std::memory_order_acquire);
            n = tail - real;
            n -= n / 2;
            if (n == 0) return nullptr;
            if (head_.compare_exchange_weak(head, pack(steal, real + n), std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
                first = real;
                break;
            }
        }
        for (std::uint32_t i = 0; i < n; ++i) {
            Header* t = buffer_[(first + i) & kMask].load(std::memory_order_relaxed);
            dst.buffer_[(dst_tail + i) & kMask].store(t, std::memory_order_relaxed);
        }
        // Release the claimed slots to the owner: steal catches up with real.
        head = head_.load(std::memory_order_acquire);
        for (;;) {
            std::uint32_t real = real_of(head);
            if (head_.compare_exchange_weak(head, pack(real, real), std::memory_order_acq_rel,
                                            std::memory_order_acquire))
                break;
        }
        Header* run_now = dst.buffer_[(dst_tail + n - 1) & kMask].load(std::memory_order_relaxed);
        if (n > 1) dst.tail_.store(dst_tail + n - 1, std::memory_order_release);
        return run_now;
    }

    bool is_empty() const {
        std::uint64_t head = head_.load(std::memory_order_acquire);
        return real_of(head) == tail_.load(std::memory_order_acquire);
    }
    std::uint32_t len() const {
        std::uint64_t head = head_.load(std::memory_order_acquire);
        return tail_.load(std::memory_order_acquire) - real_of(head);
    }

private:
    static constexpr std::uint32_t kMask = kCapacity - 1;
    static std::uint64_t pack(std::uint32_t steal, std::uint32_t real) {
        return (std::uint64_t(steal) << 32) | real;
    }
    static std::uint32_t steal_of(std::uint64_t h) { return std::uint32_t(h >> 32); }
    static std::uint32_t real_of(std::uint64_t h) { return std::uint32_t(h); }

    alignas(64) std::atomic<std::uint64_t> head_{0};
    alignas(64) std::atomic<std::uint32_t> tail_{0};
    std::array<std::atomic<Header*>, kCapacity> buffer_{};
};

}  // namespace pollen::detail
