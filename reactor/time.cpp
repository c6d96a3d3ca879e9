#include <stdexcept>

#include "instant.hpp"
#include "detail/reactor.hpp"
#include "time_control.hpp"

namespace pollen::time {

namespace {
detail::Reactor& current_reactor(const char* what) {
    detail::Reactor* r = detail::Reactor::current();
    if (!r) throw std::logic_error(std::string("pollen::time::") + what + " called outside a runtime");
    return *r;
}
}  // namespace

Instant Instant::now() {
    if (detail::Reactor* r = detail::Reactor::current()) return Instant(r->clock().now());
    return Instant(std::chrono::steady_clock::now());
}

void pause() { current_reactor("pause").clock().pause(); }
void resume() { current_reactor("resume").clock().resume(); }
bool is_paused() {
    detail::Reactor* r = detail::Reactor::current();
    return r && r->clock().is_paused();
}

Poll<void> Advance::poll(Context& cx) {
    if (advanced_) return ready();
    detail::Reactor& r = current_reactor("advance");
    r.clock().advance(d_);
    r.fire_due_timers();
    advanced_ = true;
    // Yield once so the tasks those timers woke run before we return.
    cx.waker().wake_by_ref();
    return pending;
}

}  // namespace pollen::time
