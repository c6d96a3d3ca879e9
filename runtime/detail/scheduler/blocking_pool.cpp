#include "blocking_pool.hpp"

#include <pthread.h>

#include <stdexcept>
#include <thread>

namespace pollen::detail {

BlockingPool::BlockingPool(std::weak_ptr<Scheduler> runtime, std::shared_ptr<Driver> runtime_driver,
                           std::size_t max_threads, std::chrono::milliseconds keep_alive,
                           std::string thread_name, std::function<void()> on_thread_start,
                           std::function<void()> on_thread_stop)
    : runtime_(std::move(runtime)), runtime_driver_(std::move(runtime_driver)), max_threads_(max_threads),
      keep_alive_(keep_alive),
      thread_name_(std::move(thread_name)), on_thread_start_(std::move(on_thread_start)),
      on_thread_stop_(std::move(on_thread_stop)) {
    slow_poll_ns = 0;  // blocking is what this pool is for
    trace_category = "blocking";
}

BlockingPool::~BlockingPool() { shutdown(); }

void BlockingPool::schedule(Header* task) {
    std::unique_lock lock(mu_);
    if (shutdown_) {
        lock.unlock();
        drop_reference(task);
        return;
    }
    queue_.push_back(task);
    if (idle_ > 0) {
        work_cv_.notify_one();
        return;
    }
    if (threads_ < max_threads_) {
        ++threads_;
        // The thread keeps the pool alive: it may outlive a shutdown_timeout.
        std::thread t([self = std::static_pointer_cast<BlockingPool>(shared_from_this())] {
            self->thread_main();
        });
        std::string name = (thread_name_ + "-blk").substr(0, 15);
        pthread_setname_np(t.native_handle(), name.c_str());
        t.detach();
    }
    // Otherwise every thread is busy and the task waits its turn.
}

void BlockingPool::thread_main() {
    if (on_thread_start_) on_thread_start_();
    std::unique_lock lock(mu_);
    for (;;) {
        if (queue_.empty() && !shutdown_) {
            ++idle_;
            bool got_work = work_cv_.wait_for(lock, keep_alive_, [&] { return !queue_.empty() || shutdown_; });
            --idle_;
            if (!got_work) break;  // idle for keep_alive: let the thread go
        }
        if (queue_.empty()) break;  // shutdown
        Header* t = queue_.front();
        queue_.pop_front();
        lock.unlock();
        {
            std::shared_ptr<Scheduler> runtime = runtime_.lock();
            EnterGuard enter(runtime.get(), /*may_block=*/true);
            run_task(t);
        }
        lock.lock();
    }
    lock.unlock();
    // Before the count drops: shutdown waits for it, so the hook never
    // outlives the runtime's destructor.
    if (on_thread_stop_) on_thread_stop_();
    lock.lock();
    --threads_;
    exit_cv_.notify_all();
}

std::shared_ptr<Parker> BlockingPool::block_on_parker() {
    throw std::logic_error("pollen: block_on on the blocking pool");
}
void BlockingPool::drive_until_woken(BlockOnSignal&) {
    throw std::logic_error("pollen: block_on on the blocking pool");
}

void BlockingPool::shutdown_for(std::chrono::nanoseconds timeout) {
    std::deque<Header*> queued;
    {
        std::lock_guard lock(mu_);
        if (shutdown_) return;
        shutdown_ = true;
        queued.swap(queue_);
        work_cv_.notify_all();
    }
    owned_.close_and_drain([](Header* t) {
        shutdown_task(t);  // queued ones are cancelled; running ones finish
        drop_reference(t);
    });
    for (Header* t : queued) drop_reference(t);
    std::unique_lock lock(mu_);
    exit_cv_.wait_for(lock, timeout, [&] { return threads_ == 0; });
}

void BlockingPool::fill_metrics(RuntimeMetrics& m) {
    std::lock_guard lock(mu_);
    m.blocking_threads = threads_;
    m.blocking_queue_depth = queue_.size();
}

}  // namespace pollen::detail
