// timer_future: the Rust async book's TimerFuture (chapter 2.2, "The Future
// Trait" / "Applied: Build a Timer"), written with pollen.
//
// The book's program has three pieces, and so does this one:
//
//   Rust (the book)                                  pollen (this file)
//   struct SharedState { completed, waker }          struct SharedState
//   impl Future for TimerFuture { fn poll(..) }      class TimerFuture, poll()
//   TimerFuture::new spawns a thread that sleeps,    the constructor starts a
//     sets `completed` and wakes the waker           std::thread that does that
//
// A future does not run by itself: something has to poll it. Here a tiny
// `block_on` (the book's `futures::executor::block_on`) polls it on the main
// thread and sleeps between polls until the waker says "poll me again".
// mini_executor.cpp grows that into an executor for many tasks, and
// pollen::Runtime is the real, multi-threaded one.
//
// The file shows the two classic ways to make "check, then register the
// waker" safe against a completion that lands in between:
//   1. TimerFuture: a mutex around both (what the book does);
//   2. AtomicTimerFuture: check, register, check again with pollen::AtomicWaker
//      (what futures-rs and Tokio leaf futures do: no lock on the poll path).

#include <pollen.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const Clock::time_point program_start = Clock::now();

long elapsed_ms() {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - program_start).count());
}

// ---------------------------------------------------------------------------
// 1. The book's TimerFuture: the state shared with the timer thread is
//    guarded by a mutex.

struct SharedState {
    std::mutex mu;
    bool completed = false;            // has the time elapsed?
    std::optional<pollen::Waker> waker;  // whom to wake when it has (Rust: Option<Waker>)
    // Not in the book: lets the future stop its thread early (see ~TimerFuture).
    bool cancelled = false;
    std::condition_variable cancel_cv;
};

class TimerFuture {
public:
    using Output = void;  // Rust: `type Output = ();`

    explicit TimerFuture(std::chrono::milliseconds duration)
        : shared_(std::make_shared<SharedState>()) {
        // The book's `thread::spawn(move || { thread::sleep(duration); ... })`.
        // The sleep is a wait on a condition variable so that the future can
        // cut it short when it is destroyed.
        thread_ = std::thread([shared = shared_, deadline = Clock::now() + duration] {
            std::optional<pollen::Waker> to_wake;
            {
                std::unique_lock lock(shared->mu);
                if (shared->cancel_cv.wait_until(lock, deadline, [&] { return shared->cancelled; }))
                    return;  // the future was dropped: nobody is waiting any more
                shared->completed = true;
                to_wake = std::move(shared->waker);
                shared->waker.reset();
            }
            // The book wakes while still holding the lock. We wake after
            // unlocking: a waker may run arbitrary executor code, and some
            // executors poll right away, which would lock `mu` again.
            if (to_wake) std::move(*to_wake).wake();
        });
    }

    // Rust moves a thread handle freely and detaches it on drop; in C++ a
    // thread must be joined (or the program may end while it still touches
    // shared state). Joining here also gives Rust's "dropping a future
    // cancels it": the thread is told to stop and we wait for it.
    ~TimerFuture() {
        if (!thread_.joinable()) return;  // moved-from
        {
            std::lock_guard lock(shared_->mu);
            shared_->cancelled = true;
        }
        shared_->cancel_cv.notify_one();
        thread_.join();
    }
    TimerFuture(TimerFuture&&) = default;  // allowed before the first poll (Pin)
    TimerFuture& operator=(TimerFuture&&) = delete;

    pollen::Poll<void> poll(pollen::Context& cx) {
        // Holding the lock makes "look at `completed`" and "leave our waker"
        // one step: the timer thread cannot complete in between, so the
        // wake-up can never be lost.
        std::lock_guard lock(shared_->mu);
        if (shared_->completed) return pollen::ready();
        // Store the waker of *this* poll every time, not only the first: the
        // future may have been handed to another task since (inside a select,
        // a JoinSet...), and waking a stale task would leave this one asleep.
        shared_->waker = cx.waker();
        return pollen::pending;
    }

private:
    std::shared_ptr<SharedState> shared_;
    std::thread thread_;
};

// ---------------------------------------------------------------------------
// 2. The same timer without a lock on the poll path: an atomic flag and an
//    AtomicWaker (futures-rs's `AtomicWaker`). The timer thread sets the flag
//    and then wakes; the future checks, registers, and checks again.

struct FlagState {
    std::atomic<bool> done{false};
    pollen::AtomicWaker waker;
    std::mutex mu;  // only for cancelling the thread's sleep
    bool cancelled = false;
    std::condition_variable cancel_cv;
};

class AtomicTimerFuture {
public:
    using Output = void;

    explicit AtomicTimerFuture(std::chrono::milliseconds duration)
        : shared_(std::make_shared<FlagState>()) {
        thread_ = std::thread([shared = shared_, deadline = Clock::now() + duration] {
            {
                std::unique_lock lock(shared->mu);
                if (shared->cancel_cv.wait_until(lock, deadline, [&] { return shared->cancelled; }))
                    return;
            }
            shared->done.store(true, std::memory_order_release);  // first the condition...
            shared->waker.wake();                                 // ...then the wake
        });
    }
    ~AtomicTimerFuture() {
        if (!thread_.joinable()) return;
        {
            std::lock_guard lock(shared_->mu);
            shared_->cancelled = true;
        }
        shared_->cancel_cv.notify_one();
        thread_.join();
    }
    AtomicTimerFuture(AtomicTimerFuture&&) = default;
    AtomicTimerFuture& operator=(AtomicTimerFuture&&) = delete;

    pollen::Poll<void> poll(pollen::Context& cx) {
        // Check: the cheap path when the timer already fired.
        if (shared_->done.load(std::memory_order_acquire)) return pollen::ready();
        // Register: from now on a wake() reaches this task.
        shared_->waker.register_waker(cx.waker());
        // Check again: if the thread set `done` after the first check but
        // before the registration, its wake() found no waker. Without this
        // second look we would return Pending and sleep forever.
        if (shared_->done.load(std::memory_order_acquire)) return pollen::ready();
        return pollen::pending;
    }

private:
    std::shared_ptr<FlagState> shared_;
    std::thread thread_;
};

// ---------------------------------------------------------------------------
// 3. A tiny block_on: poll, and while Pending, park this thread until the
//    waker unparks it. The Waker comes from `pollen::waker_from`, which turns
//    any shared object with a `wake()` method into a Waker (Rust's
//    `impl Wake for Parker` + `Waker::from(Arc<Parker>)`).

struct Parker {
    std::mutex mu;
    std::condition_variable cv;
    bool unparked = false;

    void wake() {  // called by whoever holds a clone of the Waker, on any thread
        {
            std::lock_guard lock(mu);
            unparked = true;
        }
        cv.notify_one();
    }
    void park() {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return unparked; });
        unparked = false;  // a wake that came before park() is not lost: we return at once
    }
};

/// Polls `fut` to completion on this thread, telling what happens when `verbose`.
template <pollen::Future F>
pollen::output_t<F> block_on(F fut, const char* name, bool verbose = true) {
    auto parker = std::make_shared<Parker>();
    pollen::Waker waker = pollen::waker_from(parker);
    pollen::Context cx(waker);
    // `fut` stays where it is from here on: a future must not move once it
    // has been polled (Rust's Pin).
    for (int n = 1;; ++n) {
        pollen::Poll<pollen::output_t<F>> p = fut.poll(cx);
        if (p.is_ready()) {
            if (verbose) std::printf("[%4ld ms] %s: poll #%d -> Ready\n", elapsed_ms(), name, n);
            return p.take();
        }
        if (verbose)
            std::printf("[%4ld ms] %s: poll #%d -> Pending (sleeping until woken)\n",
                        elapsed_ms(), name, n);
        parker->park();
    }
}

}  // namespace

int main() {
    std::printf("TimerFuture (the async book's version, mutex-guarded), 100 ms:\n");
    block_on(TimerFuture(100ms), "TimerFuture");
    std::printf("TimerFuture ready\n\n");

    std::printf("AtomicTimerFuture (check / register / check again), 50 ms:\n");
    block_on(AtomicTimerFuture(50ms), "AtomicTimerFuture");
    std::printf("AtomicTimerFuture ready\n\n");

    // A zero-length timer completes while the future is being polled, the
    // very race that "check again" is for. If a wake-up were ever lost,
    // block_on would park forever and this loop would hang.
    constexpr int kRaces = 200;
    for (int i = 0; i < kRaces; ++i) {
        block_on(AtomicTimerFuture(0ms), "race", false);
        block_on(TimerFuture(0ms), "race", false);
    }
    std::printf("%d zero-length timers raced their own registration: no wake-up lost\n", 2 * kRaces);

    // Dropping a future cancels it: the timer thread stops early.
    auto before = Clock::now();
    { TimerFuture never_polled(10s); }
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - before).count();
    std::printf("a 10 s TimerFuture dropped unpolled was cancelled in %s\n",
                took < 1000 ? "well under a second" : "MORE than a second (bug)");
    return 0;
}
