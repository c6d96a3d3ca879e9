#include "defer.hpp"

#include <utility>

namespace pollen::detail {

namespace {
thread_local Defer* tls_defer = nullptr;
}

Defer* current_defer() { return tls_defer; }

void Defer::take_and_wake() {
    waking_.swap(wakers_);
    for (Waker& w : waking_) std::move(w).wake();
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
