#pragma once
/// TryLockError: what `Mutex::try_lock` and `RwLock::try_read`/`try_write`
/// return when the lock is held (or, being fair, promised to a waiter).

namespace pollen {

struct TryLockError {
    bool operator==(const TryLockError&) const = default;
};

}  // namespace pollen
