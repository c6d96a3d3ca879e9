#pragma once
/// OnceCell<T>: a value set at most once, with async initialisation,
/// Tokio's `sync::OnceCell`.
///
///     pollen::OnceCell<Config> cell;
///     cell.get()                      // const Config* or nullptr
///     cell.set(cfg)                   // Result<void, SetError<Config>>
///     cell.get_or_init([] { return load_config(); })   // fn returns a future of Config;
///                                     // the future's output: std::reference_wrapper<const Config>
///     cell.get_or_try_init(fn)        // fn's future gives Result<Config, E>
///
/// Built like Tokio's on a one-permit batch semaphore: the initialiser that
/// gets the permit calls its `fn` and runs the future it returns; the others
/// wait in FIFO order. Once the value is stored the semaphore is closed,
/// which wakes every waiter to read it. If the running init future is
/// destroyed mid-way (or `get_or_try_init`'s fails), the permit goes back
/// and the next waiter runs *its own* `fn`. Only one `fn` is ever called at
/// a time, and none after the value is set.
///
/// get_or_init's poll is Ready with a reference to the value (valid as long
/// as the cell), else Pending; the thread that stores the value or gives up
/// the permit wakes it. Destroying it while it waits leaves the queue
/// intact. It draws on the cooperative budget (while it waits for the
/// permit) and must not be moved after its first poll.

#include <atomic>
#include <functional>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "../core/future_ext.hpp"
#include "detail/batch_semaphore.hpp"

namespace pollen {

/// Why `OnceCell::set` refused: already set, or another initialiser runs.
/// Either way the value comes back.
template <class T>
struct SetError {
    enum class Kind { AlreadyInitialized, Initializing };
    Kind kind;
    T value;
    bool is_already_init_err() const { return kind == Kind::AlreadyInitialized; }
    bool is_initializing_err() const { return kind == Kind::Initializing; }
};

template <class T>
class OnceCell;

namespace detail {
template <class T, class InitOut, bool Try>
struct GetOrInitOutput {
    using type = std::reference_wrapper<const T>;
};
template <class T, class InitOut>
struct GetOrInitOutput<T, InitOut, true> {
    using type = Result<std::reference_wrapper<const T>, typename InitOut::error_type>;
};

/// The future behind get_or_init (`Try` false: the init future outputs T)
/// and get_or_try_init (`Try` true: it outputs Result<T, E>).
template <class T, class Fn, bool Try>
class GetOrInit : public FutureExt<GetOrInit<T, Fn, Try>> {
    using InitFut = std::invoke_result_t<Fn&>;
    static_assert(Future<InitFut>, "pollen::OnceCell: fn must return a future");
    using InitOut = output_t<InitFut>;

public:
    using Output = typename GetOrInitOutput<T, InitOut, Try>::type;

    GetOrInit(OnceCell<T>* cell, Fn fn) : cell_(cell), fn_(std::in_place, std::move(fn)) {}
    GetOrInit(GetOrInit&& other) noexcept
        : cell_(other.cell_), fn_(std::move(other.fn_)), pin_(std::move(other.pin_)) {}
    GetOrInit& operator=(GetOrInit&&) = delete;
    ~GetOrInit() {
        if (init_) {
            init_.reset();
            cell_->sem_.release(1);  // the next waiter takes over
        }
    }

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        if (!init_) {
            if (const T* v = cell_->get()) return done(*v);
            if (!acquire_) acquire_.emplace(cell_->sem_, 1);
            auto p = acquire_->poll(cx);
            if (p.is_pending()) return pending;
            acquire_.reset();
            // Closed: the semaphore closes only once the value is stored.
            if (p.value().is_err()) return done(*cell_->get());
            init_.emplace(std::invoke(*fn_));
            fn_.reset();
        }
        auto p = init_->poll(cx);
        if (p.is_pending()) return pending;
        InitOut out = p.take();
        init_.reset();
        if constexpr (Try) {
            if (out.is_err()) {
                cell_->sem_.release(1);
                return Ready<Output>{Err(std::move(out).error())};
            }
            return done(cell_->store(std::move(out).value()));
        } else {
            return done(cell_->store(std::move(out)));
        }
    }

private:
    Poll<Output> done(const T& v) {
        if constexpr (Try) return Ready<Output>{Ok(std::cref(v))};
        else return Ready<Output>{std::cref(v)};
    }

    OnceCell<T>* cell_;
    std::optional<Fn> fn_;
    std::optional<Acquire> acquire_;
    std::optional<InitFut> init_;  ///< engaged: this future holds the permit
    [[no_unique_address]] PinCheck pin_;
};
}  // namespace detail

/// The future of `OnceCell<T>::get_or_init(fn)`.
template <class T, class Fn>
using GetOrInit = detail::GetOrInit<T, Fn, false>;
/// The future of `OnceCell<T>::get_or_try_init(fn)`.
template <class T, class Fn>
using GetOrTryInit = detail::GetOrInit<T, Fn, true>;

template <class T>
class OnceCell {
public:
    OnceCell() : sem_(1) {}
    /// Already set (Tokio's `OnceCell::new_with(Some(value))`).
    explicit OnceCell(T value) : sem_(0) { store(std::move(value)); }
    OnceCell(const OnceCell&) = delete;
    OnceCell& operator=(const OnceCell&) = delete;
    ~OnceCell() {
        if (initialized()) value()->~T();
    }

    bool initialized() const { return set_.load(std::memory_order_acquire); }

    /// The value once set, else nullptr.
    const T* get() const { return initialized() ? value() : nullptr; }
    T* get_mut() { return initialized() ? value() : nullptr; }

    /// Sets the value unless it is set or being initialised; wakes the
    /// futures waiting in get_or_init.
    Result<void, SetError<T>> set(T v) {
        using K = typename SetError<T>::Kind;
        if (initialized()) return Err(SetError<T>{K::AlreadyInitialized, std::move(v)});
        switch (sem_.try_acquire(1)) {
            case detail::BatchSemaphore::Outcome::Acquired: store(std::move(v)); return Ok();
            case detail::BatchSemaphore::Outcome::Closed:
                return Err(SetError<T>{K::AlreadyInitialized, std::move(v)});
            default: return Err(SetError<T>{K::Initializing, std::move(v)});
        }
    }

    /// A future of the value: the first to get here initialises it with `fn()`.
    template <class Fn>
    GetOrInit<T, Fn> get_or_init(Fn fn) {
        return GetOrInit<T, Fn>(this, std::move(fn));
    }
    /// As get_or_init, with an init future of Result<T, E>: an Err comes
    /// back to its caller and lets the next waiter try.
    template <class Fn>
    GetOrTryInit<T, Fn> get_or_try_init(Fn fn) {
        return GetOrTryInit<T, Fn>(this, std::move(fn));
    }

    /// The value, if set (no future may be using the cell).
    std::optional<T> into_inner() && {
        if (!initialized()) return std::nullopt;
        return std::optional<T>(std::move(*value()));
    }

private:
    template <class U, class Fn, bool Try>
    friend class detail::GetOrInit;

    T* value() const { return std::launder(reinterpret_cast<T*>(storage_)); }

    /// With the permit held: stores the value, publishes it, and closes the
    /// semaphore so every waiter wakes up to read it.
    const T& store(T&& v) {
        new (storage_) T(std::move(v));
        set_.store(true, std::memory_order_release);
        sem_.close();
        return *value();
    }

    detail::BatchSemaphore sem_;
    std::atomic<bool> set_{false};
    alignas(T) mutable unsigned char storage_[sizeof(T)];
};

}  // namespace pollen
