#include "owned_tasks.hpp"

#include "../../../core/detail/single_writer.hpp"

namespace pollen::detail {

bool OwnedTasks::bind(Header* task) {
    Shard& s = shard_of(task);
    std::lock_guard lock(s.mu);
    if (s.closed) return false;
    task->owned_prev = nullptr;
    task->owned_next = s.head;
    if (s.head) s.head->owned_prev = task;
    s.head = task;
    task->owned_linked = true;
    add_single_writer(s.len, 1);  // under s.mu
    return true;
}

bool OwnedTasks::remove(Header* task) {
    Shard& s = shard_of(task);
    std::lock_guard lock(s.mu);
    if (!task->owned_linked) return false;
    unlink(s, task);
    return true;
}

void OwnedTasks::unlink(Shard& s, Header* t) {
    if (t->owned_prev) t->owned_prev->owned_next = t->owned_next;
    else s.head = t->owned_next;
    if (t->owned_next) t->owned_next->owned_prev = t->owned_prev;
    t->owned_prev = t->owned_next = nullptr;
    t->owned_linked = false;
    add_single_writer(s.len, -1);  // under s.mu
}

}  // namespace pollen::detail
