#include "handle.hpp"

namespace pollen {

Handle Handle::current() {
    detail::Scheduler* s = detail::current_scheduler();
    if (!s) throw std::logic_error("pollen: Handle::current() called outside a runtime");
    return Handle(s->shared_from_this());
}

bool Handle::in_runtime() { return detail::current_scheduler() != nullptr; }

}  // namespace pollen
