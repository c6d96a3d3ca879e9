#pragma once
/// RwLock<T>: an async reader-writer lock, Tokio's `sync::RwLock`.
///
///     pollen::RwLock<Config> lock(cfg);
///     lock.read()    // future: RwLockReadGuard<Config>, shared (const) access
///     lock.write()   // future: RwLockWriteGuard<Config>, exclusive access
///     lock.try_read() / lock.try_write()   // Result<guard, TryLockError>
///     lock.blocking_read() / lock.blocking_write()   // the guard, from a plain thread
///
/// Built like Tokio's on a batch semaphore of `max_readers` permits: a read
/// takes one, a write takes them all. The queue is fair (FIFO): a waiting
/// writer collects the permits of departing readers and holds back every
/// reader that came after it, so writers are never starved; readers queued
/// behind it all proceed together once it is done.
///
/// A read/write future's poll is Ready with the guard once granted, else
/// Pending; the thread that drops a guard wakes the next waiters. Destroying
/// a waiting future leaves the queue intact and passes on whatever share of
/// the lock it had been handed. The futures draw on the cooperative budget
/// and must not be moved after their first poll.

#include <cassert>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "../core/detail/block_on_thread.hpp"
#include "../core/future_ext.hpp"
#include "detail/batch_semaphore.hpp"
#include "try_lock_error.hpp"

namespace pollen {

template <class T>
class RwLock;

/// Shared access; the read lock is released on destruction. Move-only.
template <class T>
class RwLockReadGuard {
public:
    RwLockReadGuard(RwLockReadGuard&& other) noexcept : lock_(std::exchange(other.lock_, nullptr)) {}
    RwLockReadGuard& operator=(RwLockReadGuard&& other) noexcept {
        if (this != &other) {
            unlock();
            lock_ = std::exchange(other.lock_, nullptr);
        }
        return *this;
    }
    ~RwLockReadGuard() { unlock(); }

    const T& operator*() const { return lock_->value_; }
    const T* operator->() const { return &lock_->value_; }

private:
    friend class RwLock<T>;
    template <class U>
    friend class RwLockWriteGuard;
    template <class U>
    friend class RwLockRead;
    explicit RwLockReadGuard(RwLock<T>* l) : lock_(l) {}
    void unlock() {
        if (lock_) std::exchange(lock_, nullptr)->sem_.release(1);
    }
    RwLock<T>* lock_;
};

/// Exclusive access; the write lock is released on destruction. Move-only.
template <class T>
class RwLockWriteGuard {
public:
    RwLockWriteGuard(RwLockWriteGuard&& other) noexcept : lock_(std::exchange(other.lock_, nullptr)) {}
    RwLockWriteGuard& operator=(RwLockWriteGuard&& other) noexcept {
        if (this != &other) {
            unlock();
            lock_ = std::exchange(other.lock_, nullptr);
        }
        return *this;
    }
    ~RwLockWriteGuard() { unlock(); }

    T& operator*() const { return lock_->value_; }
    T* operator->() const { return &lock_->value_; }

    /// Turns the write lock into a read lock without letting a writer in
    /// between (readers queued behind may now proceed too).
    RwLockReadGuard<T> downgrade() && {
        RwLock<T>* l = std::exchange(lock_, nullptr);
        l->sem_.release(l->max_readers_ - 1);
        return RwLockReadGuard<T>(l);
    }

private:
    friend class RwLock<T>;
    template <class U>
    friend class RwLockWrite;
    explicit RwLockWriteGuard(RwLock<T>* l) : lock_(l) {}
    void unlock() {
        if (lock_) {
            RwLock<T>* l = std::exchange(lock_, nullptr);
            l->sem_.release(l->max_readers_);
        }
    }
    RwLock<T>* lock_;
};

/// The future of `RwLock::read()`.
template <class T>
class RwLockRead : public FutureExt<RwLockRead<T>> {
public:
    using Output = RwLockReadGuard<T>;
    Poll<Output> poll(Context& cx) {
        if (acquire_.poll(cx).is_pending()) return pending;  // never closed: Ready is granted
        return Ready<Output>{RwLockReadGuard<T>(lock_)};
    }

    /// For task dumps (core/trace.hpp): the RwLock's address and its queue.
    void describe(TraceVisitor& v) const { acquire_.describe_as(v, "read lock RwLock", lock_); }

private:
    friend class RwLock<T>;
    explicit RwLockRead(RwLock<T>* l) : lock_(l), acquire_(l->sem_, 1) {}
    RwLock<T>* lock_;
    detail::Acquire acquire_;
};

/// The future of `RwLock::write()`.
template <class T>
class RwLockWrite : public FutureExt<RwLockWrite<T>> {
public:
    using Output = RwLockWriteGuard<T>;
    Poll<Output> poll(Context& cx) {
        if (acquire_.poll(cx).is_pending()) return pending;
        return Ready<Output>{RwLockWriteGuard<T>(lock_)};
    }

    /// For task dumps (core/trace.hpp): the RwLock's address and its queue.
    void describe(TraceVisitor& v) const { acquire_.describe_as(v, "write lock RwLock", lock_); }

private:
    friend class RwLock<T>;
    explicit RwLockWrite(RwLock<T>* l) : lock_(l), acquire_(l->sem_, l->max_readers_) {}
    RwLock<T>* lock_;
    detail::Acquire acquire_;
};

template <class T>
class RwLock {
public:
    /// Tokio's default bound on concurrent readers.
    static constexpr std::uint32_t MAX_READS = UINT32_MAX >> 3;

    RwLock() requires std::is_default_constructible_v<T> : RwLock(T()) {}
    explicit RwLock(T value) : sem_(MAX_READS), max_readers_(MAX_READS), value_(std::move(value)) {}
    /// At most `max_readers` (≥ 1, ≤ MAX_READS) read guards at once.
    static RwLock with_max_readers(T value, std::uint32_t max_readers) { return RwLock(std::move(value), max_readers); }
    RwLock(const RwLock&) = delete;
    RwLock& operator=(const RwLock&) = delete;

    RwLockRead<T> read() { return RwLockRead<T>(this); }
    RwLockWrite<T> write() { return RwLockWrite<T>(this); }

    /// read() / write() for a plain thread (Tokio's `blocking_read` /
    /// `blocking_write`): park it until granted. Throw std::logic_error on a
    /// thread that drives tasks (where Tokio panics).
    RwLockReadGuard<T> blocking_read() {
        RwLockRead<T> fut = read();
        return detail::block_on_thread(fut);
    }
    RwLockWriteGuard<T> blocking_write() {
        RwLockWrite<T> fut = write();
        return detail::block_on_thread(fut);
    }

    Result<RwLockReadGuard<T>, TryLockError> try_read() {
        if (sem_.try_acquire(1) == detail::BatchSemaphore::Outcome::Acquired) return Ok(RwLockReadGuard<T>(this));
        return Err(TryLockError{});
    }
    Result<RwLockWriteGuard<T>, TryLockError> try_write() {
        if (sem_.try_acquire(max_readers_) == detail::BatchSemaphore::Outcome::Acquired)
            return Ok(RwLockWriteGuard<T>(this));
        return Err(TryLockError{});
    }

    T& get_mut() { return value_; }
    T into_inner() && { return std::move(value_); }

private:
    friend class RwLockReadGuard<T>;
    friend class RwLockWriteGuard<T>;
    friend class RwLockRead<T>;
    friend class RwLockWrite<T>;
    RwLock(T value, std::uint32_t max_readers)
        : sem_(max_readers), max_readers_(max_readers), value_(std::move(value)) {
        assert(max_readers >= 1 && max_readers <= MAX_READS);
    }

    detail::BatchSemaphore sem_;
    std::uint32_t max_readers_;
    T value_;
};

}  // namespace pollen
