#pragma once
/// detail::block_on_thread(fut): drives a future on a plain thread by parking
/// that thread between polls; the engine of the channels' `blocking_send` /
/// `blocking_recv` and the locks' `blocking_lock` / `blocking_read` /
/// `blocking_write` (Tokio's CachedParkThread). The thread sleeps on the core
/// ThreadParker (core/detail/parker.hpp), as the runtime's idle threads do.
///
/// The waker it hands out may be woken from any thread; a wake that arrives
/// before the thread parks is kept, so it is never lost. Each thread reuses
/// one parker, shared with the wakers it hands out, so a waker a channel
/// still keeps after the call returns stays valid (a late wake only causes a
/// spurious turn of a later call's loop). Called where blocking is not
/// allowed (in a task, or in block_on's future: blocking_region.hpp), it
/// throws std::logic_error where Tokio panics, instead of blocking a thread
/// that drives tasks; blocking-pool threads and plain threads (inside
/// `Runtime::enter()` too) may call it.

#include <memory>
#include <stdexcept>

#include "../context.hpp"
#include "../coop.hpp"
#include "../future.hpp"
#include "../waker.hpp"
#include "blocking_region.hpp"
#include "parker.hpp"

namespace pollen::detail {

template <Future F>
output_t<F> block_on_thread(F& fut) {
    if (!may_block_here())
        throw std::logic_error(
            "pollen: cannot block the current thread from within a runtime (a blocking_* call in a task "
            "or in block_on): this thread drives asynchronous tasks; await the async form instead");
    thread_local std::shared_ptr<ThreadParker> parker = std::make_shared<ThreadParker>();
    Waker waker = waker_from(parker);
    Context cx(waker);
    // Not a task: the cooperative budget of a surrounding poll must not apply.
    coop::BudgetScope unconstrained(-1);
    for (;;) {
        auto p = fut.poll(cx);
        if (p.is_ready()) return std::move(p).value();
        parker->park();
    }
}

}  // namespace pollen::detail
