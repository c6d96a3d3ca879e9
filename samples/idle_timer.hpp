#pragma once
// IdleTimer: the idle timeout of one connection, a deadline that every bit
// of progress pushes back (what nginx's send and keep-alive timeouts are).
// The connection calls `touch()` whenever bytes moved, and, wherever it is
// about to return Pending, `poll_expired(cx)`: true once nothing was touched
// for the whole limit; otherwise the timer keeps the task's waker, so the
// task is polled again when the limit may have run out. A zero limit turns
// it off: never expired, no timer.
//
// Cheap on the busy path: touch() only reads the clock. The Sleep is not
// moved at each touch; when it fires and progress came since, it is reset
// to the last progress plus the limit. A busy connection thus touches the
// timer heap once per limit, not once per read.
//
// It lives inside the connection's future: not moved after its first
// poll_expired (the Sleep is in the timer heap). Destroying it removes the
// timer. One task uses it. The limit may change (set_limit: Redis's
// CONFIG SET timeout reaches the connections already open).
#include <pollen.hpp>

#include <optional>

namespace samples {

class IdleTimer {
public:
    explicit IdleTimer(pollen::time::Duration limit) : limit_(limit) {
        if (limit_ <= pollen::time::Duration::zero()) return;
        last_ = pollen::time::Instant::now();
        sleep_.emplace(pollen::time::sleep_until(last_ + limit_));
    }

    /// Progress: the limit counts again from now.
    void touch() {
        if (sleep_) last_ = pollen::time::Instant::now();
    }

    /// A new limit, counted from the last progress (or from now, if there
    /// was no limit); zero turns it off. Cheap when it is the same.
    void set_limit(pollen::time::Duration limit) {
        if (limit == limit_) return;
        limit_ = limit;
        if (limit_ <= pollen::time::Duration::zero()) {
            sleep_.reset();
        } else if (!sleep_) {
            last_ = pollen::time::Instant::now();
            sleep_.emplace(pollen::time::sleep_until(last_ + limit_));
        } else {
            sleep_->reset(last_ + limit_);
        }
    }

    /// True once idle for the whole limit; else the waker is with the timer.
    bool poll_expired(pollen::Context& cx) {
        if (!sleep_) return false;
        while (sleep_->poll(cx).is_ready()) {
            auto deadline = last_ + limit_;
            if (deadline <= pollen::time::Instant::now()) return true;
            sleep_->reset(deadline);  // touched since it was set: wait for the rest
        }
        return false;
    }

private:
    pollen::time::Duration limit_;
    pollen::time::Instant last_;
    std::optional<pollen::time::Sleep> sleep_;
};

}  // namespace samples
