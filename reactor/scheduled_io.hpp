#pragma once
/// ScheduledIo: the reactor's record of one registered file descriptor (Tokio's
/// ScheduledIo). It keeps the readiness the OS reported and one waker per
/// direction, so one task can read while another writes the same socket.
///
/// The readiness word carries a tick that the reactor bumps on every event. A
/// future that saw "readable", tried the syscall and got EAGAIN clears
/// readiness only if the tick is unchanged: readiness that arrived in between
/// is never lost (edge-triggered epoll would not report it again).

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>

#include "../core/context.hpp"
#include "../core/poll.hpp"

namespace pollen::detail {

/// Which direction a future waits for.
enum class Direction : std::uint8_t { Read, Write };

namespace readiness {
inline constexpr std::uint32_t kReadable = 1;
inline constexpr std::uint32_t kWritable = 2;
inline constexpr std::uint32_t kReadClosed = 4;
inline constexpr std::uint32_t kWriteClosed = 8;
inline constexpr std::uint32_t kError = 16;
inline constexpr std::uint32_t kShutdown = 32;  // the reactor is gone
inline constexpr std::uint32_t kMask = 0xFFFF;
/// What satisfies a reader / a writer (errors and hang-ups wake both: the
/// syscall will report them).
inline constexpr std::uint32_t kReadSet = kReadable | kReadClosed | kError | kShutdown;
inline constexpr std::uint32_t kWriteSet = kWritable | kWriteClosed | kError | kShutdown;
}  // namespace readiness

struct ReadyEvent {
    std::uint32_t ready;  // ready:: bits
    std::uint32_t tick;
};

class ScheduledIo {
public:
    /// Ready with the current readiness for `dir`, or stores the waker.
    Poll<ReadyEvent> poll_ready(Context& cx, Direction dir) {
        std::uint32_t want = dir == Direction::Read ? readiness::kReadSet : readiness::kWriteSet;
        std::uint32_t cur = readiness_.load(std::memory_order_acquire);
        if (cur & want) return Ready<ReadyEvent>{{cur & readiness::kMask, cur >> 16}};
        std::lock_guard lock(mu_);
        // Re-check under the lock: the reactor sets readiness before it takes
        // the lock to collect wakers, so either we see it or it sees our waker.
        cur = readiness_.load(std::memory_order_acquire);
        if (cur & want) return Ready<ReadyEvent>{{cur & readiness::kMask, cur >> 16}};
        std::optional<Waker>& slot = dir == Direction::Read ? reader_ : writer_;
        if (!slot || !slot->will_wake(cx.waker())) slot.emplace(cx.waker());
        return pending;
    }

    /// After EAGAIN: forget the readiness `ev` reported, unless newer
    /// readiness arrived since. Closed/error bits stay (they are final).
    void clear_readiness(ReadyEvent ev, Direction dir) {
        std::uint32_t clear = dir == Direction::Read ? readiness::kReadable : readiness::kWritable;
        std::uint32_t cur = readiness_.load(std::memory_order_acquire);
        while ((cur >> 16) == ev.tick) {
            if (readiness_.compare_exchange_weak(cur, cur & ~clear, std::memory_order_acq_rel,
                                                 std::memory_order_acquire))
                return;
        }
    }

    /// Reactor side: record new readiness, then wake the interested waiters.
    void set_readiness_and_wake(std::uint32_t bits) {
        std::uint32_t cur = readiness_.load(std::memory_order_relaxed);
        for (;;) {
            std::uint32_t tick = ((cur >> 16) + 1) & 0xFFFF;
            std::uint32_t next = (tick << 16) | ((cur | bits) & readiness::kMask);
            if (readiness_.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                                 std::memory_order_relaxed))
                break;
        }
        std::optional<Waker> r, w;
        {
            std::lock_guard lock(mu_);
            if (bits & readiness::kReadSet) r = std::move(reader_), reader_.reset();
            if (bits & readiness::kWriteSet) w = std::move(writer_), writer_.reset();
        }
        if (r) std::move(*r).wake();
        if (w) std::move(*w).wake();
    }

    /// The source is going: drop the stored wakers now (Tokio's
    /// `clear_wakers`) rather than when the reactor frees this record on its
    /// next turn, so they pin no task meanwhile (a current-thread runtime
    /// may not turn for a long time).
    void clear_wakers() {
        std::optional<Waker> r, w;
        {
            std::lock_guard lock(mu_);
            r = std::move(reader_), reader_.reset();
            w = std::move(writer_), writer_.reset();
        }
    }

private:
    std::atomic<std::uint32_t> readiness_{0};
    std::mutex mu_;
    std::optional<Waker> reader_;
    std::optional<Waker> writer_;
};

}  // namespace pollen::detail
