#pragma once
/// WriteTimeout<S>: a stream whose writes give up when they stall, nginx's
/// send_timeout ("set only between two successive write operations, not for
/// the transmission of the whole response"), as tokio-io-timeout's
/// TimeoutStream with only a write timeout.
///
/// poll_write is the inner stream's. While it stays Pending, a time::Sleep
/// runs from the first Pending since the last progress; when it fires, the
/// write is Ready(Err(timed_out)) and the caller drops the connection. Any
/// accepted byte disarms it, so a slow reader that keeps taking bytes is
/// never cut off, and a stalled one is after `limit` whatever the size of
/// the answer. A zero limit: no timeout. Reads, flush and shutdown pass
/// through untouched (the connection times its reads itself: what a read
/// may take depends on where in a request it is).
///
/// Movable at any time (the Sleep is boxed, as in time::throttle). Destroying
/// it mid-way drops the timer. One task at a time, as the stream.
#include <pollen.hpp>

#include <memory>
#include <span>
#include <system_error>

namespace http_server {

template <class S>
class WriteTimeout {
public:
    WriteTimeout(S inner, pollen::time::Duration limit) : inner_(std::move(inner)), limit_(limit) {}

    S& get_mut() { return inner_; }

    pollen::Poll<pollen::io::Result<std::size_t>> poll_read(pollen::Context& cx, std::span<std::byte> buf) {
        return inner_.poll_read(cx, buf);
    }

    pollen::Poll<pollen::io::Result<std::size_t>> poll_write(pollen::Context& cx, std::span<const std::byte> buf) {
        auto p = inner_.poll_write(cx, buf);
        if (p.is_ready()) {
            armed_ = false;
            return p;
        }
        if (limit_ <= pollen::time::Duration::zero()) return pollen::pending;
        if (!armed_) {
            auto deadline = pollen::time::Instant::now() + limit_;
            if (timer_) timer_->reset(deadline);
            else timer_ = std::make_unique<pollen::time::Sleep>(deadline);
            armed_ = true;
        }
        // The write may have spent the task's budget; the deadline must still
        // be seen (as time::timeout does).
        pollen::coop::BudgetScope unconstrained(-1);
        if (timer_->poll(cx).is_pending()) return pollen::pending;
        armed_ = false;
        return pollen::ready(pollen::io::Result<std::size_t>(pollen::Err(std::make_error_code(std::errc::timed_out))));
    }

    pollen::Poll<pollen::io::Result<void>> poll_flush(pollen::Context& cx) { return inner_.poll_flush(cx); }
    pollen::Poll<pollen::io::Result<void>> poll_shutdown(pollen::Context& cx) { return inner_.poll_shutdown(cx); }

private:
    S inner_;
    pollen::time::Duration limit_;
    std::unique_ptr<pollen::time::Sleep> timer_;  ///< made at the first stall
    bool armed_ = false;
};

}  // namespace http_server
