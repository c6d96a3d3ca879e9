#pragma once
/// task::Builder: spawns a task with options, Tokio's
/// `tokio::task::Builder`: today its name.
///
///     auto h = pollen::task::Builder().name("accept loop").spawn(accept_loop(listener));
///
/// The name shows in Runtime::task_snapshots, Runtime::dump and the trace
/// (POLLEN_TRACE). A named task carries statistics (task_snapshot.hpp) even
/// on a runtime that keeps none for the others: the name lives in that block.
/// Where Tokio returns io::Result, these throw as pollen::spawn and friends
/// do (outside a runtime: std::logic_error).
///
/// Threads: as the spawn function each method mirrors.

#include <source_location>
#include <string>
#include <utility>

#include "handle.hpp"
#include "local_set.hpp"
#include "spawn.hpp"
#include "spawn_blocking.hpp"

namespace pollen::task {

class Builder {
public:
    Builder() = default;

    /// The task's name (copied).
    Builder& name(std::string n) {
        name_ = std::move(n);
        return *this;
    }

    /// pollen::spawn with these options.
    template <Future F>
    JoinHandle<output_t<F>> spawn(F fut, std::source_location loc = std::source_location::current()) const {
        detail::Scheduler* s = detail::current_scheduler();
        if (!s) throw std::logic_error("pollen::task::Builder::spawn called outside a runtime");
        return detail::spawn_on(*s, std::move(fut), loc, name_);
    }
    /// Handle::spawn with these options.
    template <Future F>
    JoinHandle<output_t<F>> spawn_on(F fut, const Handle& handle,
                                     std::source_location loc = std::source_location::current()) const {
        return detail::spawn_on(handle.scheduler(), std::move(fut), loc, name_);
    }
    /// pollen::spawn_local with these options.
    template <Future F>
    JoinHandle<output_t<F>> spawn_local(F fut, std::source_location loc = std::source_location::current()) const {
        detail::LocalScheduler* s = detail::current_local_scheduler();
        if (!s) throw std::logic_error("pollen::task::Builder::spawn_local called from outside of a LocalSet");
        return detail::spawn_on(*s, std::move(fut), loc, name_);
    }
    /// pollen::spawn_blocking with these options.
    template <class Fn>
    auto spawn_blocking(Fn fn, std::source_location loc = std::source_location::current()) const {
        detail::Scheduler* s = detail::current_scheduler();
        if (!s) throw std::logic_error("pollen::task::Builder::spawn_blocking called outside a runtime");
        return detail::spawn_on(s->blocking_pool_or_throw(), detail::BlockingTask<Fn>{std::move(fn)}, loc, name_);
    }
    /// Handle::spawn_blocking with these options.
    template <class Fn>
    auto spawn_blocking_on(Fn fn, const Handle& handle,
                           std::source_location loc = std::source_location::current()) const {
        return detail::spawn_on(handle.scheduler().blocking_pool_or_throw(), detail::BlockingTask<Fn>{std::move(fn)},
                                loc, name_);
    }

private:
    std::string name_;
};

}  // namespace pollen::task
