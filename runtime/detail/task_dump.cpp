// The task dump's walk: a snapshot of the owned-task list (with a reference
// to each task, so none is freed meanwhile), then each task read outside the
// list's lock (giving RUNNING back may cancel a task, and its completion
// unlinks it: that takes the list's lock).
#include "task_dump.hpp"

#include "scheduler.hpp"
#include "task/task.hpp"

namespace pollen {

const char* TaskTrace::state_name(State s) {
    switch (s) {
        case State::kIdle: return "idle";
        case State::kScheduled: return "scheduled";
        case State::kRunning: return "running";
        case State::kComplete: return "complete";
    }
    return "?";
}

namespace detail {

std::vector<TaskTrace> task_dump(Scheduler& s) {
    std::vector<Header*> tasks;
    s.owned().for_each([&](const Header& t) {
        auto* h = const_cast<Header*>(&t);
        h->state.ref_inc();  // a clone of the list's reference, which the lock keeps
        tasks.push_back(h);
    });
    std::vector<TaskTrace> out;
    out.reserve(tasks.size());
    for (Header* t : tasks) {
        TaskTrace& tt = out.emplace_back();
        tt.id = t->id;
        tt.spawned_at = t->diagnostics.location();
        TraceFrame tree;
        // The dumping task itself, if any, is RUNNING: refused like any running one.
        if (trace_idle_task(t, tree)) {
            tt.state = TaskTrace::State::kIdle;
            tt.future = std::move(tree);
        } else {
            Snapshot snap = t->state.load();
            tt.state = snap.is_complete()   ? TaskTrace::State::kComplete
                       : snap.is_running()  ? TaskTrace::State::kRunning
                       : snap.is_notified() ? TaskTrace::State::kScheduled
                                            : TaskTrace::State::kIdle;  // went idle just now
        }
        tt.cancelling = t->state.load().is_cancelled();
        drop_reference(t);
    }
    return out;
}

}  // namespace detail
}  // namespace pollen
