#pragma once
/// The task dump's walk over a runtime's tasks (runtime/task_dump.hpp says
/// why it is safe): shared by Runtime::task_dump / dump and the signal
/// listener of Builder::dump_on_signal.

#include <string>
#include <vector>

#include "../task_dump.hpp"

namespace pollen::detail {

class Scheduler;

/// Every live task of `s`, in the owned-task list's order.
std::vector<TaskTrace> task_dump(Scheduler& s);
/// Runtime::dump's text.
std::string dump_text(Scheduler& s);

}  // namespace pollen::detail
