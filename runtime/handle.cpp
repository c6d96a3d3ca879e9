#include "handle.hpp"

#include "detail/scheduler/current_thread.hpp"
#include "detail/scheduler/simulation.hpp"
#include "detail/task/runtime_stats.hpp"
#include "detail/task_dump.hpp"

namespace pollen {

Handle Handle::current() {
    detail::Scheduler* s = detail::current_scheduler();
    if (!s) throw std::logic_error("pollen: Handle::current() called outside a runtime");
    return Handle(s->shared_from_this());
}

Result<Handle, TryCurrentError> Handle::try_current() {
    detail::Scheduler* s = detail::current_scheduler();
    if (!s) return Err(TryCurrentError{});
    return Ok(Handle(s->shared_from_this()));
}

bool Handle::in_runtime() { return detail::current_scheduler() != nullptr; }

RuntimeFlavor Handle::runtime_flavor() const {
    if (dynamic_cast<const detail::CurrentThreadScheduler*>(sched_.get())) return RuntimeFlavor::CurrentThread;
    if (dynamic_cast<const detail::SimulationScheduler*>(sched_.get())) return RuntimeFlavor::Simulation;
    return RuntimeFlavor::MultiThread;
}

RuntimeMetrics Handle::metrics() const {
    RuntimeMetrics m;
    sched_->fill_metrics(m);
    if (sched_->blocking_pool) sched_->blocking_pool->fill_metrics(m);
    m.tasks_spawned = sched_->spawned();
    m.tasks_alive = sched_->owned().alive();
    m.lost_waker_count = sched_->lost_wakers.load(std::memory_order_relaxed);
    if (const detail::RuntimeStats* rs = sched_->runtime_stats.get()) {
        m.task_stats = true;
        m.poll_time_histogram = rs->poll_times();
        m.scheduled_delay_histogram = rs->scheduled_delays();
    }
    return m;
}

std::string Handle::dump() const { return detail::dump_text(*sched_); }
std::vector<TaskTrace> Handle::task_dump() const { return detail::task_dump(*sched_); }

}  // namespace pollen
