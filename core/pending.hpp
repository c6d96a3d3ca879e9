#pragma once
/// future::Pending<T>: futures-rs's `future::pending`, a future that is never
/// ready: `pollen::future::pending<T>()` (T defaults to void). Its poll
/// returns Pending and registers nothing, so a task awaiting only it sleeps
/// until it is cancelled. It may be moved at any time (Unpin); destroying it
/// does nothing.

#include "future_ext.hpp"

namespace pollen::future {

template <class T = void>
class Pending : public FutureExt<Pending<T>> {
public:
    using Output = T;

    Poll<T> poll(Context&) { return pollen::pending; }
    void describe(TraceVisitor& v) const { v.waits_on("never completes (future::pending)"); }
};

/// A future that never completes.
template <class T = void>
Pending<T> pending() {
    return {};
}

}  // namespace pollen::future
