#pragma once
/// detail::may_block_here(): whether this thread may block (park) without
/// stalling tasks. True on plain threads and blocking-pool threads; false
/// while a thread drives tasks (a runtime worker, block_on's thread). The
/// runtime sets it (its EnterGuard, through exchange_may_block); what would
/// block asks it: block_on, and the blocking_* calls of channels and locks
/// (block_on_thread.hpp), which refuse where Tokio panics. It lives in core
/// so that sync/ and channels/ can ask without knowing the runtime.
/// Each thread has its own flag.

namespace pollen::detail {

bool may_block_here();
/// Sets this thread's flag; returns the previous value (to restore it).
bool exchange_may_block(bool may_block);

}  // namespace pollen::detail
