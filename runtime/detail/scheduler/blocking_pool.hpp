#pragma once
/// BlockingPool: the threads behind `spawn_blocking` (Tokio's blocking pool).
/// A blocking task is an ordinary task whose future runs the closure in one
/// poll; the pool is its scheduler. Threads are started on demand up to
/// `max_threads`, and exit after `keep_alive` without work. A task aborted
/// before a thread picked it up never runs; a running one cannot be stopped.
/// Shutdown cancels queued tasks and waits for running ones (bounded by
/// shutdown_timeout).
///
/// From its spawn until it completed, a blocking task keeps the runtime's
/// paused clock from auto-advancing (Tokio's inhibit_auto_advance): the
/// runtime is waiting for it, not idle. Its completion (or cancellation)
/// wakes the runtime's driving thread so that the clock may jump again.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "../scheduler.hpp"

namespace pollen::detail {

class BlockingPool final : public Scheduler {
public:
    BlockingPool(std::weak_ptr<Scheduler> runtime, std::shared_ptr<Driver> runtime_driver, std::size_t max_threads,
                 std::chrono::milliseconds keep_alive, std::string thread_name,
                 std::function<void()> on_thread_start = {}, std::function<void()> on_thread_stop = {});
    ~BlockingPool() override;

    void schedule(Header* task) override;
    std::shared_ptr<Parker> block_on_parker() override;
    void drive_until_woken(BlockOnSignal&) override;
    void shutdown() override { shutdown_for(std::chrono::hours(24 * 365)); }
    /// Cancels queued tasks, then waits up to `timeout` for running ones;
    /// threads still busy after that are left to finish on their own.
    void shutdown_for(std::chrono::nanoseconds timeout);
    void fill_metrics(RuntimeMetrics& m) override;

protected:
    void on_task_submitted(Header*) override { runtime_driver_->inhibit_auto_advance(); }
    void on_task_released(Header*) override { runtime_driver_->allow_auto_advance(); }

private:
    void thread_main();

    // The context blocking closures run in (spawn, Handle::current); weak, as
    // the runtime owns the pool.
    std::weak_ptr<Scheduler> runtime_;
    // The runtime's driver, whose paused clock the blocking tasks hold. (The
    // pool's own `driver` stays null: none of its threads waits in the reactor.)
    std::shared_ptr<Driver> runtime_driver_;
    std::size_t max_threads_;
    std::chrono::milliseconds keep_alive_;
    std::string thread_name_;
    // Builder::on_thread_start / on_thread_stop: Tokio runs them on its
    // blocking threads as well as on its workers.
    std::function<void()> on_thread_start_;
    std::function<void()> on_thread_stop_;

    std::mutex mu_;
    std::condition_variable work_cv_;
    std::condition_variable exit_cv_;
    std::deque<Header*> queue_;
    std::size_t threads_ = 0;
    std::size_t idle_ = 0;
    bool shutdown_ = false;
};

/// The future of a blocking task: calls the closure in its one poll.
template <class Fn>
struct BlockingTask {
    using Output = std::invoke_result_t<Fn&>;
    Fn fn;
    Poll<Output> poll(Context&) {
        if constexpr (std::is_void_v<Output>) {
            fn();
            return ready();
        } else {
            return Ready<Output>{fn()};
        }
    }
};

}  // namespace pollen::detail
