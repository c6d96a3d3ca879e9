#pragma once
/// ScheduledIo: the reactor's record of one registered file descriptor (Tokio's
/// ScheduledIo). It keeps the readiness the OS reported (io::Ready's bits,
/// closed bits included) and one waker per direction, so one task can read
/// while another writes the same socket.
///
/// The readiness word carries a tick that the reactor bumps on every event. A
/// future that saw "readable", tried the syscall and got EAGAIN clears
/// readiness only if the tick is unchanged: readiness that arrived in between
/// is never lost (edge-triggered epoll would not report it again).

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>

#include "../../core/context.hpp"
#include "../../core/poll.hpp"
#include "../interest.hpp"
#include "../ready.hpp"

namespace pollen::detail {

/// Which direction a future waits for.
enum class Direction : std::uint8_t { Read, Write };

namespace readiness {
// The low bits are io::Ready's; kShutdown is the reactor's own.
inline constexpr std::uint32_t kReadable = io::Ready::READABLE.bits();
inline constexpr std::uint32_t kWritable = io::Ready::WRITABLE.bits();
inline constexpr std::uint32_t kReadClosed = io::Ready::READ_CLOSED.bits();
inline constexpr std::uint32_t kWriteClosed = io::Ready::WRITE_CLOSED.bits();
inline constexpr std::uint32_t kError = io::Ready::ERROR.bits();
inline constexpr std::uint32_t kShutdown = 32;  // the reactor is gone
inline constexpr std::uint32_t kMask = 0xFFFF;
static_assert((io::Ready::ALL.bits() & kShutdown) == 0);
/// What satisfies a reader / a writer. EPOLLERR arrives with READABLE and
/// WRITABLE (detail/poller_epoll.cpp), which wake both: the syscall reports the error.
/// ERROR alone satisfies only an ERROR interest, so once the error was
/// consumed and the socket said EAGAIN, a reader waits again instead of
/// spinning on an error bit that no syscall clears.
inline constexpr std::uint32_t kReadSet = kReadable | kReadClosed | kShutdown;
inline constexpr std::uint32_t kWriteSet = kWritable | kWriteClosed | kShutdown;
/// What satisfies `interest` (Tokio's Ready::from_interest), and shutdown.
constexpr std::uint32_t wanted(io::Interest interest) {
    return io::Ready::from_interest(interest).bits() | kShutdown;
}
constexpr io::Interest interest_of(Direction dir) {
    return dir == Direction::Read ? io::Interest::READABLE : io::Interest::WRITABLE;
}
}  // namespace readiness

struct ReadyEvent {
    std::uint32_t ready;  // readiness:: bits, all of them (not only those asked for)
    std::uint32_t tick;
};

class ScheduledIo {
public:
    /// Ready with the current readiness once some of it answers `interest`,
    /// or stores the waker: in the read slot for READABLE and ERROR, in the
    /// write slot for WRITABLE (in both for READABLE | WRITABLE).
    Poll<ReadyEvent> poll_ready(Context& cx, io::Interest interest) {
        std::uint32_t want = readiness::wanted(interest);
        std::uint32_t cur = readiness_.load(std::memory_order_acquire);
        if (cur & want) return Ready<ReadyEvent>{{cur & readiness::kMask, cur >> 16}};
        std::lock_guard lock(mu_);
        // Re-check under the lock: the reactor sets readiness before it takes
        // the lock to collect wakers, so either we see it or it sees our waker.
        cur = readiness_.load(std::memory_order_acquire);
        if (cur & want) return Ready<ReadyEvent>{{cur & readiness::kMask, cur >> 16}};
        if (interest.is_readable() || interest.is_error()) store(reader_, cx);
        if (interest.is_writable()) store(writer_, cx);
        return pending;
    }
    Poll<ReadyEvent> poll_ready(Context& cx, Direction dir) { return poll_ready(cx, readiness::interest_of(dir)); }

    /// After EAGAIN: forget the readiness `ev` reported for `dir`, and the
    /// error bit (the syscall reported and consumed the error, or there was
    /// none), unless newer readiness arrived since. Closed bits stay (they
    /// are final), as in Tokio.
    void clear_readiness(ReadyEvent ev, Direction dir) {
        std::uint32_t clear =
            (dir == Direction::Read ? readiness::kReadable : readiness::kWritable) | readiness::kError;
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
            if (bits & (readiness::kReadSet | readiness::kError)) r = std::move(reader_), reader_.reset();
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
    static void store(std::optional<Waker>& slot, Context& cx) {
        if (!slot || !slot->will_wake(cx.waker())) slot.emplace(cx.waker());
    }

    std::atomic<std::uint32_t> readiness_{0};
    std::mutex mu_;
    std::optional<Waker> reader_;
    std::optional<Waker> writer_;
};

}  // namespace pollen::detail
