#pragma once
// Test support: ThrowingWaker, a Waker whose `wake` throws (Rust's panicking
// waker), for checking that a primitive waking many tasks still wakes the
// others and leaves its wait list consistent when one of them throws.
//
//     pollen::test::ThrowingWaker bad("bad");
//     pollen::test::poll_once(fut, bad.waker());   // fut keeps a clone
//     EXPECT_THROW(notify.notify_waiters(), pollen::test::WakeThrew);
//     EXPECT_EQ(bad.wake_attempts(), 1u);
//     ...destroy fut...
//     EXPECT_EQ(bad.live(), 0);                     // every reference released
//
// Both `wake` and `wake_by_ref` throw WakeThrew carrying the name given at
// construction, so a test can tell which exception propagated. Atomics:
// usable from any thread.

#include <atomic>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include <pollen/core/waker.hpp>

namespace pollen::test {

/// What a ThrowingWaker throws; `what()` is the waker's name.
struct WakeThrew : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class ThrowingWaker {
public:
    explicit ThrowingWaker(std::string name) : state_(std::make_shared<State>(std::move(name))) {}
    ThrowingWaker(const ThrowingWaker&) = delete;
    ThrowingWaker& operator=(const ThrowingWaker&) = delete;

    /// A new Waker reference whose wake throws.
    Waker waker() const { return waker_from(state_); }
    /// Times a wake (of either kind) was attempted, each of which threw.
    std::size_t wake_attempts() const { return state_->attempts.load(); }
    /// Waker references still alive (made by `waker()` or cloned).
    long live() const { return state_.use_count() - 1; }

private:
    struct State {
        explicit State(std::string n) : name(std::move(n)) {}
        void wake() {
            attempts.fetch_add(1);
            throw WakeThrew(name);
        }
        std::string name;
        std::atomic<std::size_t> attempts{0};
    };
    std::shared_ptr<State> state_;
};

}  // namespace pollen::test
