#pragma once
/// TaskLocal<T>: a key for task-local values (Tokio's `task_local!` and
/// `task::LocalKey`). Declare the key once, with static storage:
///
///     static pollen::TaskLocal<std::string> REQUEST_ID;   // task_local! { static REQUEST_ID: String; }
///
///     REQUEST_ID.scope("req-7", handle_request())         // a future
///     // ...inside handle_request's polls, on whichever thread polls it:
///     std::string id = REQUEST_ID.get();                  // "req-7"
///
/// `KEY.scope(value, fut)` is a future (TaskLocalFuture) that owns `value`
/// and makes it the key's value during every poll of `fut`: set just before
/// the poll, the previous one put back right after (also when the poll
/// throws). So tasks interleaved on one thread never see each other's value,
/// and a scope nested inside another of the same key shadows it for its own
/// polls, then the outer value is visible again. Outside every poll of a
/// scope the key has no value, even on a thread that just polled one.
/// `KEY.sync_scope(value, fn)` does the same around one call of `fn`.
///
/// Reading it:
/// - `KEY.with(fn)` calls `fn(const T&)` with the value and returns what fn
///   returns; `KEY.get()` returns a copy. Both throw pollen::AccessError (a
///   std::logic_error) when the key has no value here (Tokio panics).
/// - `KEY.try_with(fn)` returns `Result<R, AccessError>` instead of throwing.
/// The value is shared, not mutable, as in Tokio: keep a mutable part behind
/// a pointer or a type of its own when tasks must change it.
///
/// The scope future destroys its inner future with the value visible, as
/// Tokio's does: when the inner future completes (in that same poll) and when
/// the scope is destroyed mid-way, so destructors that read the key still
/// find it. The value itself is destroyed afterwards, not visible during its
/// own destruction. `take_value()` gives it back (empty once taken; polled
/// without a value, the inner future sees the key unset).
///
/// Deliberate difference: Tokio panics when a scope of a key is entered
/// inside `with` on the same key; pollen allows it (the value read by the
/// outer `with` lives on, merely shadowed).
///
/// Threads: a key may be used from any thread; what a thread sees is the
/// value of the scope it is polling now. A TaskLocalFuture is a future like
/// any other (distinct objects: safe; shared objects: unsafe), movable until
/// its first poll. The key must outlive its scopes (declare it static).

#include <atomic>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/future_ext.hpp"
#include "../core/result.hpp"

namespace pollen {

/// A task-local key read where it has no value: thrown by `with`/`get`,
/// returned by `try_with` (Tokio's `AccessError`).
struct AccessError : std::logic_error {
    AccessError()
        : std::logic_error(
              "pollen: task-local value not set: read the key only inside the polls of "
              "KEY.scope(value, fut) or inside KEY.sync_scope(value, fn)") {}
};

namespace detail {
// Each key gets an index into every thread's table of current values (the
// pointer to the value of the scope being polled; null: none).
inline std::atomic<std::size_t> task_local_key_count{0};
inline thread_local std::vector<const void*> task_local_values;
}  // namespace detail

template <class T, class F>
class TaskLocalFuture;

template <class T>
class TaskLocal {
    static_assert(std::is_object_v<T> && !std::is_const_v<T>,
                  "pollen::TaskLocal<T>: T must be a non-const object type");

public:
    constexpr TaskLocal() noexcept = default;
    TaskLocal(const TaskLocal&) = delete;
    TaskLocal& operator=(const TaskLocal&) = delete;

    /// A future that runs `fut` with `value` as this key's value.
    template <Future F>
    TaskLocalFuture<T, F> scope(T value, F fut) const {
        return TaskLocalFuture<T, F>(*this, std::move(value), std::move(fut));
    }
    /// Refuses what is not a future (a closure, mostly) with pollen's message.
    template <class F>
        requires(!Future<F>)
    auto scope(T, F) const {
        static_assert(is_future_v<F>,
                      "pollen::TaskLocal::scope takes a future (a type with Output and poll(Context&)), not "
                      "a closure: for a plain call use sync_scope(value, fn)");
    }

    /// Calls `fn()` with `value` as this key's value, then destroys it.
    template <class Fn>
    decltype(auto) sync_scope(T value, Fn&& fn) const {
        T held(std::move(value));
        Visible visible(*this, &held);
        return std::invoke(std::forward<Fn>(fn));
    }

    /// `fn(const T&)` with the current value; throws AccessError without one.
    template <class Fn>
    decltype(auto) with(Fn&& fn) const {
        const T* v = current();
        if (!v) throw AccessError();
        return std::invoke(std::forward<Fn>(fn), *v);
    }

    /// As `with`, but an unset key is an error result, not an exception.
    template <class Fn>
    auto try_with(Fn&& fn) const -> Result<std::invoke_result_t<Fn, const T&>, AccessError> {
        using R = std::invoke_result_t<Fn, const T&>;
        static_assert(!std::is_reference_v<R>,
                      "pollen::TaskLocal::try_with: the closure must return a value, not a reference "
                      "(use with() to borrow)");
        const T* v = current();
        if (!v) return Err(AccessError());
        if constexpr (std::is_void_v<R>) {
            std::invoke(std::forward<Fn>(fn), *v);
            return Ok();
        } else {
            return Ok(std::invoke(std::forward<Fn>(fn), *v));
        }
    }

    /// A copy of the current value; throws AccessError without one.
    T get() const
        requires std::copy_constructible<T>
    {
        return with([](const T& v) { return v; });
    }

    /// True when this thread is polling inside a scope of this key now.
    bool is_set() const { return current() != nullptr; }

private:
    template <class U, class F>
    friend class TaskLocalFuture;

    /// Publishes a value on this thread for its lifetime, then restores the
    /// previous one (null publishes "unset").
    class Visible {
    public:
        Visible(const TaskLocal& key, const T* value) : key_(key), previous_(key.exchange(value)) {}
        ~Visible() { key_.exchange(previous_); }
        Visible(const Visible&) = delete;
        Visible& operator=(const Visible&) = delete;

    private:
        const TaskLocal& key_;
        const void* previous_;
    };

    // Assigned at first use, so that a key is constant-initialized and may
    // be used from other statics' constructors.
    std::size_t index() const {
        std::size_t i = index_.load(std::memory_order_acquire);
        if (i != 0) return i - 1;
        std::size_t fresh = detail::task_local_key_count.fetch_add(1, std::memory_order_relaxed) + 1;
        if (index_.compare_exchange_strong(i, fresh, std::memory_order_acq_rel)) return fresh - 1;
        return i - 1;  // another thread assigned it first (ours is left unused)
    }
    const T* current() const {
        const auto& values = detail::task_local_values;
        std::size_t i = index();
        return i < values.size() ? static_cast<const T*>(values[i]) : nullptr;
    }
    const void* exchange(const void* value) const {
        auto& values = detail::task_local_values;
        std::size_t i = index();
        if (i >= values.size()) values.resize(i + 1, nullptr);
        return std::exchange(values[i], value);
    }

    mutable std::atomic<std::size_t> index_{0};  // index + 1; 0: not assigned yet
};

/// The future of `TaskLocal<T>::scope` (Tokio's `TaskLocalFuture`); Ready
/// with the inner future's output.
template <class T, class F>
class TaskLocalFuture : public FutureExt<TaskLocalFuture<T, F>> {
public:
    using Output = output_t<F>;

    TaskLocalFuture(const TaskLocal<T>& key, T value, F fut)
        : key_(&key), value_(std::move(value)), fut_(std::in_place, std::move(fut)) {}
    TaskLocalFuture(TaskLocalFuture&& other) noexcept(std::is_nothrow_move_constructible_v<T> &&
                                                      std::is_nothrow_move_constructible_v<F>)
        : key_(other.key_), value_(std::move(other.value_)), fut_(std::move(other.fut_)),
          pin_(std::move(other.pin_)) {
        other.fut_.reset();  // a moved-from shell: nothing to destroy in scope
        other.value_.reset();
    }
    TaskLocalFuture& operator=(TaskLocalFuture&&) = delete;
    ~TaskLocalFuture() {
        if (!fut_) return;
        typename TaskLocal<T>::Visible visible(*key_, value_ ? &*value_ : nullptr);
        fut_.reset();
    }

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(fut_ && "pollen: TaskLocalFuture polled after completion");
        typename TaskLocal<T>::Visible visible(*key_, value_ ? &*value_ : nullptr);
        auto p = fut_->poll(cx);
        if (p.is_ready()) fut_.reset();  // destroyed while the value is visible
        return p;
    }

    /// The value, taken out (empty if already taken).
    std::optional<T> take_value() { return std::exchange(value_, std::nullopt); }

private:
    const TaskLocal<T>* key_;
    std::optional<T> value_;
    std::optional<F> fut_;
    [[no_unique_address]] detail::PinCheck pin_;
};

}  // namespace pollen
