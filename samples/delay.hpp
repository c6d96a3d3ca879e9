#pragma once
// samples::Delay: a future that is ready once a duration has passed, measured
// by a helper thread. It is timer_future.cpp's AtomicTimerFuture packaged for
// the other samples, a stand-in for pollen::time::sleep until the reactor and
// its timer heap arrive. A thread per timer is fine for a sample; a real
// runtime keeps all timers in one heap and fires them from its event loop.
//
// Like tokio::time::sleep, the deadline is fixed when the Delay is made, not
// when it is first polled. Destroying a Delay cancels it: its thread is told
// to stop and joined (for the loser of a select, that is at once).

#include <pollen.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace samples {

class Delay : public pollen::FutureExt<Delay> {
public:
    using Output = void;

    explicit Delay(std::chrono::milliseconds duration) : shared_(std::make_shared<Shared>()) {
        thread_ = std::thread([shared = shared_, deadline = std::chrono::steady_clock::now() + duration] {
            {
                std::unique_lock lock(shared->mu);
                if (shared->cv.wait_until(lock, deadline, [&] { return shared->cancelled; })) return;
            }
            shared->done.store(true, std::memory_order_release);  // the condition first,
            shared->waker.wake();                                 // then the wake-up
        });
    }
    ~Delay() {
        if (!thread_.joinable()) return;  // moved-from
        {
            std::lock_guard lock(shared_->mu);
            shared_->cancelled = true;
        }
        shared_->cv.notify_one();
        thread_.join();
    }
    Delay(Delay&&) = default;  // before the first poll only (Pin)
    Delay& operator=(Delay&&) = delete;

    pollen::Poll<void> poll(pollen::Context& cx) {
        // Check, register, check again: a wake-up between the first check and
        // the registration found no waker, so the second check catches it.
        if (shared_->done.load(std::memory_order_acquire)) return pollen::ready();
        shared_->waker.register_waker(cx.waker());
        if (shared_->done.load(std::memory_order_acquire)) return pollen::ready();
        return pollen::pending;
    }

private:
    struct Shared {
        std::atomic<bool> done{false};
        pollen::AtomicWaker waker;
        std::mutex mu;
        std::condition_variable cv;
        bool cancelled = false;
    };
    std::shared_ptr<Shared> shared_;
    std::thread thread_;
};

/// `samples::delay(50ms)`, read like `tokio::time::sleep(Duration::from_millis(50))`.
inline Delay delay(std::chrono::milliseconds duration) { return Delay(duration); }

}  // namespace samples
