#include "sleep.hpp"

#include <stdexcept>

#include "detail/reactor.hpp"

namespace pollen::time {

Sleep::~Sleep() {
    if (reactor_) reactor_->cancel_timer(&entry_);
}

Poll<void> Sleep::poll(Context& cx) {
    pin_.on_poll(this);
    if (!coop::poll_proceed(cx)) return pending;
    if (!reactor_) {
        detail::Reactor* r = detail::Reactor::current();
        if (!r)
            throw std::logic_error(
                "pollen::time::Sleep polled outside a runtime: timers need the runtime's reactor");
        reactor_ = r->shared_from_this();
    }
    if (reactor_->poll_timer(&entry_, cx.waker())) return ready();
    coop::refund();
    return pending;
}

void Sleep::reset(Instant deadline) {
    if (reactor_) reactor_->reset_timer(&entry_, deadline.time_point());
    else entry_.deadline = deadline.time_point();
}

// The deadline is written only by the Sleep's owner (construction, reset),
// never by the reactor's thread, so a dump may read it while the task is idle.
std::string Sleep::deadline_from_now() const {
    Instant::TimePoint now = reactor_ ? reactor_->clock().now() : Instant::now().time_point();
    return trace::relative_deadline((entry_.deadline - now).count());
}

void Sleep::describe(TraceVisitor& v) const { v.waits_on("sleep until deadline " + deadline_from_now()); }

Sleep sleep_until(Instant deadline) { return Sleep(deadline); }
Sleep sleep(Duration d) { return Sleep(detail::deadline_after(d)); }

}  // namespace pollen::time
