#pragma once
// One direction of an in-memory duplex (Tokio's Pipe): a bounded byte FIFO
// behind a mutex, with the waker of the reader waiting for bytes and the
// waker of the writer waiting for room. Wakers are taken out under the lock
// and woken after it is released, so a wake never runs with the lock held.

#include <cstddef>
#include <mutex>
#include <optional>
#include <span>
#include <system_error>
#include <utility>

#include "../../coop.hpp"
#include "../async_write.hpp"
#include "ring_buffer.hpp"

namespace pollen::io::detail {

class Pipe {
public:
    explicit Pipe(std::size_t max) : buf_(max) {}

    Poll<Result<std::size_t>> poll_read(Context& cx, std::span<std::byte> dst) {
        if (dst.empty()) return ready(Ok(std::size_t{0}));
        if (!coop::poll_proceed(cx)) return pending;
        std::optional<Waker> writer;
        std::size_t n = 0;
        {
            std::lock_guard lock(mu_);
            if (buf_.empty() && !closed_) {
                register_waker(read_waker_, cx);
                coop::refund();
                return pending;
            }
            n = buf_.pop(dst);  // 0 when closed and drained: end of stream
            if (n > 0) writer = std::exchange(write_waker_, std::nullopt);
        }
        if (writer) std::move(*writer).wake();
        return ready(Ok(n));
    }

    Poll<Result<std::size_t>> poll_write(Context& cx, IoSlices bufs) {
        bool any = false;
        for (auto b : bufs) any = any || !b.empty();
        if (!any) {
            // Tokio's order: a closed pipe refuses even an empty write.
            std::lock_guard lock(mu_);
            if (closed_) return ready(Err(error(std::errc::broken_pipe)));
            return ready(Ok(std::size_t{0}));
        }
        if (!coop::poll_proceed(cx)) return pending;
        std::optional<Waker> reader;
        std::size_t n = 0;
        {
            std::lock_guard lock(mu_);
            if (closed_) return ready(Err(error(std::errc::broken_pipe)));
            if (buf_.space() == 0) {
                register_waker(write_waker_, cx);
                coop::refund();
                return pending;
            }
            for (auto b : bufs) {
                const std::size_t k = buf_.push(b);
                n += k;
                if (k < b.size()) break;
            }
            reader = std::exchange(read_waker_, std::nullopt);
        }
        if (reader) std::move(*reader).wake();
        return ready(Ok(n));
    }

    /// The writing end shut down or went away: the reader drains, then reads
    /// end of stream; further writes fail with broken_pipe.
    void close_write() { close(read_waker_); }
    /// The reading end went away: writes fail with broken_pipe.
    void close_read() { close(write_waker_); }

private:
    static void register_waker(std::optional<Waker>& slot, Context& cx) {
        if (!slot || !slot->will_wake(cx.waker())) slot.emplace(cx.waker());
    }

    void close(std::optional<Waker>& waiter) {
        std::optional<Waker> w;
        {
            std::lock_guard lock(mu_);
            closed_ = true;
            w = std::exchange(waiter, std::nullopt);
        }
        if (w) std::move(*w).wake();
    }

    std::mutex mu_;
    RingBuffer buf_;
    bool closed_ = false;
    std::optional<Waker> read_waker_;
    std::optional<Waker> write_waker_;
};

}  // namespace pollen::io::detail
