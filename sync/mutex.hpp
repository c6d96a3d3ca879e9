#pragma once
/// Mutex<T>: an async mutual-exclusion lock around a T, Tokio's `sync::Mutex`.
///
///     pollen::Mutex<int> m(0);
///     m.lock()          // future: MutexGuard<int>; `*guard += 1`, unlocked when the guard dies
///     m.try_lock()      // Result<MutexGuard<int>, TryLockError>
///     m.blocking_lock() // MutexGuard<int>, from a plain (non-runtime) thread
///     lock_owned(sp)    // on a std::shared_ptr<Mutex<T>>: an OwnedMutexGuard<T>
///
/// It is a batch semaphore with one permit, so it is fair: waiters get the
/// lock in the order they first polled `lock()`, and an unlock hands the lock
/// straight to the oldest waiter (a newcomer cannot barge in, `try_lock`
/// included). `lock()`'s poll is Ready with the guard once the lock is this
/// future's, else Pending; the thread that drops the previous guard wakes it.
/// Destroying a waiting `lock()` leaves the queue intact, and if the lock had
/// already been handed to it, passes it to the next waiter. Lock futures draw
/// on the cooperative budget and must not be moved after their first poll.
/// Holding a guard across a Pending is allowed (that is what it is for).

#include <memory>
#include <type_traits>
#include <utility>

#include "../core/detail/block_on_thread.hpp"
#include "../core/future_ext.hpp"
#include "detail/batch_semaphore.hpp"
#include "try_lock_error.hpp"

namespace pollen {

template <class T>
class Mutex;

/// Exclusive access to the Mutex's value; unlocks on destruction. Move-only.
template <class T>
class MutexGuard {
public:
    MutexGuard(MutexGuard&& other) noexcept : mutex_(std::exchange(other.mutex_, nullptr)) {}
    MutexGuard& operator=(MutexGuard&& other) noexcept {
        if (this != &other) {
            unlock();
            mutex_ = std::exchange(other.mutex_, nullptr);
        }
        return *this;
    }
    ~MutexGuard() { unlock(); }

    T& operator*() const { return mutex_->value_; }
    T* operator->() const { return &mutex_->value_; }
    /// The Mutex this guard locks (Tokio's `MutexGuard::mutex`).
    Mutex<T>& mutex() const { return *mutex_; }

private:
    friend class Mutex<T>;
    template <class U>
    friend class MutexLock;
    explicit MutexGuard(Mutex<T>* m) : mutex_(m) {}
    void unlock() {
        if (mutex_) std::exchange(mutex_, nullptr)->sem_.release(1);
    }
    Mutex<T>* mutex_;
};

/// As MutexGuard, but keeps the Mutex alive (a std::shared_ptr): movable
/// into tasks that outlive the code that locked. Move-only.
template <class T>
class OwnedMutexGuard {
public:
    OwnedMutexGuard(OwnedMutexGuard&&) noexcept = default;
    OwnedMutexGuard& operator=(OwnedMutexGuard&& other) noexcept {
        if (this != &other) {
            unlock();
            mutex_ = std::move(other.mutex_);
        }
        return *this;
    }
    ~OwnedMutexGuard() { unlock(); }

    T& operator*() const { return mutex_->value_; }
    T* operator->() const { return &mutex_->value_; }
    const std::shared_ptr<Mutex<T>>& mutex() const { return mutex_; }

private:
    template <class U>
    friend class OwnedMutexLock;
    template <class U>
    friend Result<OwnedMutexGuard<U>, TryLockError> try_lock_owned(std::shared_ptr<Mutex<U>>);
    explicit OwnedMutexGuard(std::shared_ptr<Mutex<T>> m) : mutex_(std::move(m)) {}
    void unlock() {
        if (mutex_) {
            mutex_->sem_.release(1);
            mutex_.reset();  // may destroy the Mutex: after the release
        }
    }
    std::shared_ptr<Mutex<T>> mutex_;
};

/// The future of `Mutex::lock()`.
template <class T>
class MutexLock : public FutureExt<MutexLock<T>> {
public:
    using Output = MutexGuard<T>;

    Poll<Output> poll(Context& cx) {
        // The semaphore of a Mutex is never closed: Ready means locked.
        if (acquire_.poll(cx).is_pending()) return pending;
        return Ready<Output>{MutexGuard<T>(mutex_)};
    }

    /// For task dumps (core/trace.hpp): the Mutex's address and its queue.
    void describe(TraceVisitor& v) const { acquire_.describe_as(v, "lock Mutex", mutex_); }

private:
    friend class Mutex<T>;
    explicit MutexLock(Mutex<T>* m) : mutex_(m), acquire_(m->sem_, 1) {}
    Mutex<T>* mutex_;
    detail::Acquire acquire_;
};

/// The future of `lock_owned(mutex)`; keeps the Mutex alive while it waits.
template <class T>
class OwnedMutexLock : public FutureExt<OwnedMutexLock<T>> {
public:
    using Output = OwnedMutexGuard<T>;

    explicit OwnedMutexLock(std::shared_ptr<Mutex<T>> m) : mutex_(std::move(m)), acquire_(mutex_->sem_, 1) {}

    Poll<Output> poll(Context& cx) {
        if (acquire_.poll(cx).is_pending()) return pending;
        return Ready<Output>{OwnedMutexGuard<T>(mutex_)};
    }

    void describe(TraceVisitor& v) const { acquire_.describe_as(v, "lock Mutex", mutex_.get()); }

private:
    std::shared_ptr<Mutex<T>> mutex_;  // declared first: outlives acquire_
    detail::Acquire acquire_;
};

template <class T>
class Mutex {
public:
    Mutex() requires std::is_default_constructible_v<T> : sem_(1), value_() {}
    explicit Mutex(T value) : sem_(1), value_(std::move(value)) {}
    template <class... Args>
    explicit Mutex(std::in_place_t, Args&&... args) : sem_(1), value_(std::forward<Args>(args)...) {}
    Mutex(const Mutex&) = delete;
    Mutex& operator=(const Mutex&) = delete;

    /// A future of the lock; FIFO among waiters.
    MutexLock<T> lock() { return MutexLock<T>(this); }

    /// lock() for a plain thread (Tokio's `blocking_lock`): parks it until
    /// the lock is its turn. Throws std::logic_error on a thread that drives
    /// tasks (where Tokio panics): await lock() there.
    MutexGuard<T> blocking_lock() {
        MutexLock<T> fut = lock();
        return detail::block_on_thread(fut);
    }

    /// The lock if it is free now and nobody waits for it.
    Result<MutexGuard<T>, TryLockError> try_lock() {
        if (sem_.try_acquire(1) == detail::BatchSemaphore::Outcome::Acquired) return Ok(MutexGuard<T>(this));
        return Err(TryLockError{});
    }

    /// The value without locking: having `*this` mutably proves no guard exists.
    T& get_mut() { return value_; }
    /// Consumes the mutex's value (no guard may exist).
    T into_inner() && { return std::move(value_); }

private:
    friend class MutexGuard<T>;
    friend class OwnedMutexGuard<T>;
    friend class MutexLock<T>;
    friend class OwnedMutexLock<T>;
    template <class U>
    friend Result<OwnedMutexGuard<U>, TryLockError> try_lock_owned(std::shared_ptr<Mutex<U>>);

    detail::BatchSemaphore sem_;
    T value_;
};

/// Tokio's `Arc<Mutex<T>>::lock_owned`.
template <class T>
OwnedMutexLock<T> lock_owned(std::shared_ptr<Mutex<T>> m) {
    return OwnedMutexLock<T>(std::move(m));
}

/// Tokio's `Arc<Mutex<T>>::try_lock_owned`.
template <class T>
Result<OwnedMutexGuard<T>, TryLockError> try_lock_owned(std::shared_ptr<Mutex<T>> m) {
    if (m->sem_.try_acquire(1) == detail::BatchSemaphore::Outcome::Acquired)
        return Ok(OwnedMutexGuard<T>(std::move(m)));
    return Err(TryLockError{});
}

}  // namespace pollen
