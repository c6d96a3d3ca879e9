#include "defer.hpp"

#include <utility>

namespace pollen::detail {

namespace {
thread_local Defer* tls_defer = nullptr;
}

Defer* current_defer() { return tls_defer; }

void Defer::defer_clone(const Waker& waker) {
    const RawWaker& raw = waker.as_raw();
    if (!wakers_.empty() && wakers_.back().data == raw.data && wakers_.back().vtable == raw.vtable) return;
    // The slot first: a clone made before a failed push_back would leak.
    wakers_.push_back(RawWaker{nullptr, &noop_vtable});
    try {
        wakers_.back() = raw.vtable->clone(raw.data);
    } catch (...) {
        wakers_.pop_back();
        throw;
    }
}

void Defer::take_and_wake() {
    waking_.swap(wakers_);
    for (const RawWaker& w : waking_) w.vtable->wake(w.data);
    waking_.clear();
}

DeferScope::DeferScope() : previous_(std::exchange(tls_defer, &list_)) {}

DeferScope::~DeferScope() {
    // Still current while the rest is woken: a wake that yields lands here,
    // and is woken by the next round.
    while (!list_.is_empty()) list_.take_and_wake();
    tls_defer = previous_;
}

}  // namespace pollen::detail
