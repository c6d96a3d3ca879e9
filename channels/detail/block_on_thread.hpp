#pragma once
/// detail::block_on_thread(fut): drives a future on a plain thread by parking
/// that thread between polls; the engine of the channels' `blocking_send` /
/// `blocking_recv` (Tokio's CachedParkThread). The thread sleeps on the core
/// ThreadParker (core/detail/parker.hpp), as the runtime's idle threads do.
///
/// The waker it hands out may be woken from any thread; a wake that arrives
/// before the thread parks is kept, so it is never lost. Each thread reuses
/// one parker, shared with the wakers it hands out, so a waker a channel
/// still keeps after the call returns stays valid (a late wake only causes a
/// spurious turn of a later call's loop). Calling it on a runtime worker
/// blocks that worker, as in Tokio: don't.

#include <memory>

#include "../../core/context.hpp"
#include "../../core/coop.hpp"
#include "../../core/detail/parker.hpp"
#include "../../core/future.hpp"
#include "../../core/waker.hpp"

namespace pollen::channels::detail {

template <Future F>
output_t<F> block_on_thread(F& fut) {
    using pollen::detail::ThreadParker;
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

}  // namespace pollen::channels::detail
