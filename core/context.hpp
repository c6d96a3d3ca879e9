#pragma once
/// Context: what `poll` receives, Rust's `Context<'_>`. Today it carries the
/// waker of the task being polled; a future that returns Pending must first
/// arrange for `cx.waker()` (or a clone of it) to be woken when it can progress.
/// A Context lives only for one poll: keep a clone of the waker, never the Context.

#include "waker.hpp"

namespace pollen {

class Context {
public:
    explicit Context(const Waker& waker) noexcept : waker_(&waker) {}
    static Context from_waker(const Waker& waker) noexcept { return Context(waker); }

    const Waker& waker() const noexcept { return *waker_; }

private:
    const Waker* waker_;
};

}  // namespace pollen
