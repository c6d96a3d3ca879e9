#pragma once
/// The errors of acquiring from a Semaphore (Tokio's `AcquireError` and
/// `TryAcquireError`): an `acquire` future fails only once the semaphore was
/// closed; a `try_acquire` also fails when too few permits are free right now.

namespace pollen {

/// The semaphore was closed (`Semaphore::close`): no permit will ever come.
struct AcquireError {
    bool operator==(const AcquireError&) const = default;
};

/// Why `try_acquire` gave no permit: closed, or not enough free right now.
enum class TryAcquireError { Closed, NoPermits };

}  // namespace pollen
