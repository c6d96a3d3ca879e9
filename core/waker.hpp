#pragma once
/// Waker: Rust's `Waker`, a handle that tells an executor "poll this task again".
///
/// It is a `RawWaker {data, vtable}` where the vtable has Rust's four entries
/// (clone, wake, wake_by_ref, drop). Copying a Waker calls `clone`, destroying
/// it calls `drop`, `std::move(w).wake()` consumes it, `wake_by_ref` does not.
/// A Waker may be woken from any thread, any number of times; waking is only
/// a hint to poll again, never a promise that progress is possible.
///
/// A moved-from Waker is the no-op waker, so it is always safe to use.

#include <atomic>
#include <memory>
#include <type_traits>
#include <utility>

namespace pollen {

struct RawWaker;

/// Rust's `RawWakerVTable`. Every entry receives the RawWaker's `data`.
struct RawWakerVTable {
    RawWaker (*clone)(const void* data);
    void (*wake)(const void* data);         ///< wake and release this reference
    void (*wake_by_ref)(const void* data);  ///< wake, keep the reference
    void (*drop)(const void* data);         ///< release this reference
};

struct RawWaker {
    const void* data;
    const RawWakerVTable* vtable;
};

namespace detail {
inline RawWaker noop_clone(const void*);
inline void noop_fn(const void*) {}
inline constexpr RawWakerVTable noop_vtable{noop_clone, noop_fn, noop_fn, noop_fn};
inline RawWaker noop_clone(const void*) { return {nullptr, &noop_vtable}; }
}  // namespace detail

class Waker {
public:
    /// Takes ownership of one reference described by `raw` (Rust's `Waker::from_raw`).
    explicit Waker(RawWaker raw) noexcept : raw_(raw) {}

    Waker(const Waker& other) : raw_(other.raw_.vtable->clone(other.raw_.data)) {}
    Waker(Waker&& other) noexcept : raw_(std::exchange(other.raw_, noop_raw())) {}
    Waker& operator=(const Waker& other) {
        if (this != &other && !will_wake(other)) *this = Waker(other);
        return *this;
    }
    Waker& operator=(Waker&& other) noexcept {
        if (this != &other) {
            raw_.vtable->drop(raw_.data);
            raw_ = std::exchange(other.raw_, noop_raw());
        }
        return *this;
    }
    ~Waker() { raw_.vtable->drop(raw_.data); }

    /// Wakes the task and gives up this Waker (Rust's `wake(self)`).
    void wake() && {
        RawWaker raw = std::exchange(raw_, noop_raw());
        raw.vtable->wake(raw.data);
    }
    /// Wakes the task, keeping this Waker usable.
    void wake_by_ref() const { raw_.vtable->wake_by_ref(raw_.data); }

    /// True when both wake the same task, so re-storing `other` can be skipped.
    bool will_wake(const Waker& other) const noexcept {
        return raw_.data == other.raw_.data && raw_.vtable == other.raw_.vtable;
    }

    const RawWaker& as_raw() const noexcept { return raw_; }

    /// Gives up ownership without dropping (Rust's `into_raw`).
    RawWaker into_raw() && noexcept { return std::exchange(raw_, noop_raw()); }

private:
    static RawWaker noop_raw() noexcept { return {nullptr, &detail::noop_vtable}; }
    RawWaker raw_;
};

/// A Waker that does nothing (Rust's `Waker::noop()`), for polling by hand.
inline Waker noop_waker() { return Waker(RawWaker{nullptr, &detail::noop_vtable}); }
inline const Waker& noop_waker_ref() {
    static const Waker waker = noop_waker();
    return waker;
}

/// Rust's `Wake` trait: any type with `void wake()` shared through a
/// `std::shared_ptr` can back Wakers. Each clone holds one shared_ptr
/// reference (one small allocation per clone: this is the convenient path,
/// the runtime's tasks use their own vtable).
template <class W>
concept Wake = requires(W& w) { w.wake(); };

namespace detail {
template <class W>
struct SharedWakeVTable {
    using Ptr = std::shared_ptr<W>;
    static const Ptr& ptr(const void* d) { return *static_cast<const Ptr*>(d); }
    static RawWaker clone(const void* d) { return {new Ptr(ptr(d)), &vtable}; }
    static void wake(const void* d) {
        std::unique_ptr<const Ptr> owned(static_cast<const Ptr*>(d));
        (*owned)->wake();
    }
    static void wake_by_ref(const void* d) { ptr(d)->wake(); }
    static void drop(const void* d) { delete static_cast<const Ptr*>(d); }
    static constexpr RawWakerVTable vtable{clone, wake, wake_by_ref, drop};
};
}  // namespace detail

/// Makes a Waker from a shared object with `wake()` (Rust's `Waker::from(Arc<W>)`).
template <Wake W>
Waker waker_from(std::shared_ptr<W> w) {
    using V = detail::SharedWakeVTable<W>;
    return Waker(RawWaker{new typename V::Ptr(std::move(w)), &V::vtable});
}

}  // namespace pollen
