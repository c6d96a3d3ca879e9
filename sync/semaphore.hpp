#pragma once
/// Semaphore: an async counting semaphore, Tokio's `sync::Semaphore`.
///
///     pollen::Semaphore sem(3);
///     sem.acquire()          // future: Result<SemaphorePermit, AcquireError>
///     sem.acquire_many(2)    // all or nothing, fair
///     sem.try_acquire()      // Result<SemaphorePermit, TryAcquireError>
///     acquire_owned(shared)  // on a std::shared_ptr<Semaphore>: an OwnedSemaphorePermit
///
/// A permit is RAII: destroying it gives its permits back (`forget()` keeps
/// them out for good; `sem.forget_permits(n)` removes free ones). Permits of
/// one semaphore `merge` into one; merging permits of two different
/// semaphores is a bug, reported by throwing std::logic_error (Tokio panics).
/// The queue is fair (FIFO): a waiting `acquire_many(5)` at the head holds
/// back a later `acquire()` even while 1 permit is free; released permits go
/// to the head waiter directly, partly if need be.
///
/// An acquire future's poll is Ready with the permit once it has them all,
/// Ready with AcquireError once the semaphore is closed, else Pending with the
/// task's waker queued; the thread that releases permits (or closes) wakes it.
/// Destroying it mid-way leaves the queue intact: any permits it had already
/// been handed go on to the next waiters. Acquire futures draw on the
/// cooperative budget and must not be moved after their first poll.
///
/// A waker that throws while `add_permits` or `close` wakes waiters stops
/// nothing: every permit still reaches its waiter (or every waiter is failed)
/// and is woken, then the first exception propagates to the caller. (From a
/// permit's destructor that is std::terminate, as for any throwing destructor.)

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>

#include "../core/future_ext.hpp"
#include "acquire_error.hpp"
#include "detail/batch_semaphore.hpp"

namespace pollen {

class Semaphore;

namespace detail {
/// Merging permits of two semaphores would return them to the wrong one.
/// Tokio panics; pollen throws std::logic_error, in every build, as it does
/// for its other run-time misuse (Handle::current() outside a runtime...).
inline void check_same_semaphore(bool same) {
    if (!same) throw std::logic_error("pollen: merging permits from different semaphores");
}
}  // namespace detail

/// Permits from a Semaphore borrowed by reference; returned on destruction.
/// The Semaphore must outlive it. Move-only.
class SemaphorePermit {
public:
    SemaphorePermit(SemaphorePermit&& other) noexcept
        : sem_(other.sem_), permits_(std::exchange(other.permits_, 0)) {}
    SemaphorePermit& operator=(SemaphorePermit&& other) noexcept {
        if (this != &other) {
            release();
            sem_ = other.sem_;
            permits_ = std::exchange(other.permits_, 0);
        }
        return *this;
    }
    ~SemaphorePermit() { release(); }

    /// Keeps the permits out of the semaphore for good.
    void forget() { permits_ = 0; }
    std::uint32_t num_permits() const { return permits_; }
    /// Takes over `other`'s permits. Both must come from the same semaphore:
    /// otherwise throws std::logic_error and leaves both unchanged.
    void merge(SemaphorePermit&& other) {
        detail::check_same_semaphore(sem_ == other.sem_);
        permits_ += std::exchange(other.permits_, 0);
    }
    /// Splits `n` permits off into a new permit; nullopt when it holds fewer.
    std::optional<SemaphorePermit> split(std::uint32_t n) {
        if (n > permits_) return std::nullopt;
        permits_ -= n;
        return SemaphorePermit(*sem_, n);
    }

private:
    friend class Semaphore;
    friend class SemaphoreAcquire;
    SemaphorePermit(detail::BatchSemaphore& sem, std::uint32_t n) : sem_(&sem), permits_(n) {}
    void release() {
        if (permits_ > 0) sem_->release(std::exchange(permits_, 0));
    }
    detail::BatchSemaphore* sem_;
    std::uint32_t permits_;
};

/// Permits that keep their Semaphore alive (a std::shared_ptr): movable into
/// tasks that outlive the code that acquired them. Move-only.
class OwnedSemaphorePermit {
public:
    OwnedSemaphorePermit(OwnedSemaphorePermit&& other) noexcept
        : sem_(std::move(other.sem_)), permits_(std::exchange(other.permits_, 0)) {}
    OwnedSemaphorePermit& operator=(OwnedSemaphorePermit&& other) noexcept {
        if (this != &other) {
            release();
            sem_ = std::move(other.sem_);
            permits_ = std::exchange(other.permits_, 0);
        }
        return *this;
    }
    ~OwnedSemaphorePermit() { release(); }

    void forget() { permits_ = 0; }
    std::uint32_t num_permits() const { return permits_; }
    const std::shared_ptr<Semaphore>& semaphore() const { return sem_; }
    /// As SemaphorePermit::merge (throws std::logic_error across semaphores).
    void merge(OwnedSemaphorePermit&& other) {
        detail::check_same_semaphore(sem_ != nullptr && sem_ == other.sem_);
        permits_ += std::exchange(other.permits_, 0);
    }

private:
    friend class SemaphoreAcquireOwned;
    friend Result<OwnedSemaphorePermit, TryAcquireError> try_acquire_many_owned(std::shared_ptr<Semaphore>,
                                                                               std::uint32_t);
    OwnedSemaphorePermit(std::shared_ptr<Semaphore> sem, std::uint32_t n) : sem_(std::move(sem)), permits_(n) {}
    inline void release();
    std::shared_ptr<Semaphore> sem_;
    std::uint32_t permits_;
};

/// The future of `Semaphore::acquire` / `acquire_many`.
class SemaphoreAcquire : public FutureExt<SemaphoreAcquire> {
public:
    using Output = Result<SemaphorePermit, AcquireError>;

    Poll<Output> poll(Context& cx) {
        auto p = inner_.poll(cx);
        if (p.is_pending()) return pending;
        if (p.value().is_err()) return Ready<Output>{Err(AcquireError{})};
        return Ready<Output>{Ok(SemaphorePermit(inner_.semaphore(), n_))};
    }

    /// For task dumps (core/trace.hpp): the Semaphore's address and its queue.
    void describe(TraceVisitor& v) const {
        inner_.describe_as(v, "acquire " + std::to_string(n_) + " permit(s) of Semaphore", sem_of_inner());
    }

private:
    // The Semaphore is its BatchSemaphore (its only member): one address.
    const void* sem_of_inner() const { return &inner_.semaphore(); }
    friend class Semaphore;
    SemaphoreAcquire(detail::BatchSemaphore& sem, std::uint32_t n) : inner_(sem, n), n_(n) {}
    detail::Acquire inner_;
    std::uint32_t n_;
};

class Semaphore {
public:
    /// The most permits a semaphore can hold (Tokio's `Semaphore::MAX_PERMITS`).
    static constexpr std::size_t MAX_PERMITS = detail::BatchSemaphore::kMaxPermits;

    explicit Semaphore(std::size_t permits) : sem_(permits) {}
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;

    std::size_t available_permits() const { return sem_.available_permits(); }
    /// Adds `n` permits (handed to waiters first, in order).
    void add_permits(std::size_t n) { sem_.release(n); }
    /// Removes up to `n` of the available permits for good; returns how many
    /// it removed (Tokio's `forget_permits`). Permits held, and shares already
    /// handed to a waiting acquire, are not available and stay untouched.
    std::size_t forget_permits(std::size_t n) { return sem_.forget_permits(n); }
    /// Closes the semaphore: waiting and later acquires fail with
    /// AcquireError, `try_acquire` with Closed. Permits held stay valid.
    void close() { sem_.close(); }
    bool is_closed() const { return sem_.is_closed(); }

    SemaphoreAcquire acquire() { return SemaphoreAcquire(sem_, 1); }
    SemaphoreAcquire acquire_many(std::uint32_t n) { return SemaphoreAcquire(sem_, n); }

    Result<SemaphorePermit, TryAcquireError> try_acquire() { return try_acquire_many(1); }
    Result<SemaphorePermit, TryAcquireError> try_acquire_many(std::uint32_t n) {
        switch (sem_.try_acquire(n)) {
            case detail::BatchSemaphore::Outcome::Acquired: return Ok(SemaphorePermit(sem_, n));
            case detail::BatchSemaphore::Outcome::Closed: return Err(TryAcquireError::Closed);
            default: return Err(TryAcquireError::NoPermits);
        }
    }

private:
    friend class OwnedSemaphorePermit;
    friend class SemaphoreAcquireOwned;
    friend Result<OwnedSemaphorePermit, TryAcquireError> try_acquire_many_owned(std::shared_ptr<Semaphore>,
                                                                               std::uint32_t);
    detail::BatchSemaphore sem_;
};

inline void OwnedSemaphorePermit::release() {
    if (permits_ > 0) sem_->sem_.release(std::exchange(permits_, 0));
}

/// The future of `acquire_owned` / `acquire_many_owned`; it holds the
/// Semaphore alive while it waits.
class SemaphoreAcquireOwned : public FutureExt<SemaphoreAcquireOwned> {
public:
    using Output = Result<OwnedSemaphorePermit, AcquireError>;

    SemaphoreAcquireOwned(std::shared_ptr<Semaphore> sem, std::uint32_t n)
        : sem_(std::move(sem)), inner_(sem_->sem_, n), n_(n) {}

    Poll<Output> poll(Context& cx) {
        auto p = inner_.poll(cx);
        if (p.is_pending()) return pending;
        if (p.value().is_err()) return Ready<Output>{Err(AcquireError{})};
        return Ready<Output>{Ok(OwnedSemaphorePermit(sem_, n_))};
    }

    void describe(TraceVisitor& v) const {
        inner_.describe_as(v, "acquire " + std::to_string(n_) + " permit(s) of Semaphore", sem_.get());
    }

private:
    std::shared_ptr<Semaphore> sem_;  // declared first: outlives inner_
    detail::Acquire inner_;
    std::uint32_t n_;
};

/// Tokio's `Arc<Semaphore>::acquire_owned`.
inline SemaphoreAcquireOwned acquire_owned(std::shared_ptr<Semaphore> sem) {
    return SemaphoreAcquireOwned(std::move(sem), 1);
}
inline SemaphoreAcquireOwned acquire_many_owned(std::shared_ptr<Semaphore> sem, std::uint32_t n) {
    return SemaphoreAcquireOwned(std::move(sem), n);
}
inline Result<OwnedSemaphorePermit, TryAcquireError> try_acquire_many_owned(std::shared_ptr<Semaphore> sem,
                                                                           std::uint32_t n) {
    switch (sem->sem_.try_acquire(n)) {
        case detail::BatchSemaphore::Outcome::Acquired: return Ok(OwnedSemaphorePermit(std::move(sem), n));
        case detail::BatchSemaphore::Outcome::Closed: return Err(TryAcquireError::Closed);
        default: return Err(TryAcquireError::NoPermits);
    }
}
inline Result<OwnedSemaphorePermit, TryAcquireError> try_acquire_owned(std::shared_ptr<Semaphore> sem) {
    return try_acquire_many_owned(std::move(sem), 1);
}

}  // namespace pollen
