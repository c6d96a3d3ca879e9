#include "current_thread.hpp"

#include <stdexcept>

#include "../../../core/detail/single_writer.hpp"
#include "../defer.hpp"

namespace pollen::detail {

namespace {
// The scheduler this thread is driving right now (inside drive_until_woken).
thread_local CurrentThreadScheduler* tls_driving = nullptr;

// Tokio's event_interval: how many tasks run before block_on's future and the
// injection queue get another look.
constexpr int kTasksPerDrive = 61;
constexpr std::uint32_t kInjectInterval = 31;
}  // namespace

CurrentThreadScheduler::CurrentThreadScheduler(std::shared_ptr<Driver> d)
    : parker_(std::make_shared<Parker>(d)) {
    driver = std::move(d);
}

CurrentThreadScheduler::~CurrentThreadScheduler() { shutdown(); }

bool CurrentThreadScheduler::is_driver_thread() const { return tls_driving == this; }

void CurrentThreadScheduler::schedule(Header* task) {
    if (is_driver_thread()) {
        local_.push_back(task);
        return;
    }
    {
        std::lock_guard lock(inject_mu_);
        if (!closed_) {
            inject_.push_back(task);
            inject_nonempty_.store(true, std::memory_order_release);
            // Under the lock: once the task is queued the driver may run it
            // to completion and the runtime be destroyed; shutdown() takes
            // this lock first, so it waits for this unpark to finish.
            parker_->unpark();
            return;
        }
    }
    drop_reference(task);  // shut down: nobody will run it
}

Header* CurrentThreadScheduler::next_task() {
    bool inject_first = ++tick_ % kInjectInterval == 0;
    if (!inject_first && !local_.empty()) {
        Header* t = local_.front();
        local_.pop_front();
        return t;
    }
    if (inject_nonempty_.load(std::memory_order_acquire)) {
        std::lock_guard lock(inject_mu_);
        if (!inject_.empty()) {
            Header* t = inject_.front();
            inject_.pop_front();
            inject_nonempty_.store(!inject_.empty(), std::memory_order_relaxed);
            return t;
        }
    }
    if (!local_.empty()) {
        Header* t = local_.front();
        local_.pop_front();
        return t;
    }
    return nullptr;
}

void CurrentThreadScheduler::enter_block_on() {
    driver_mu_.lock();
    previous_driving_ = tls_driving;
    tls_driving = this;
}

void CurrentThreadScheduler::exit_block_on() {
    tls_driving = previous_driving_;
    driver_mu_.unlock();
}

void CurrentThreadScheduler::drive_until_woken(BlockOnSignal& signal) {
    bool out_of_work = false;
    for (int i = 0; i < kTasksPerDrive; ++i) {
        Header* t = next_task();
        if (!t) {
            out_of_work = true;
            break;
        }
        add_single_writer(polls_, 1);
        run_task(t);
    }
    // Yielded futures (yield_now) wait for a driver turn, out of work or
    // after a full round of tasks (Tokio's park_yield): then they queue
    // behind what the turn woke, and a busy loop of tasks still lets them run.
    Defer* defer = current_defer();
    if (defer && !defer->is_empty()) {
        driver->try_turn_nonblocking();
        defer->take_and_wake();
        return;
    }
    // Sleep only when there is nothing at all to do; any wake unparks us.
    // Parking turns the reactor, whose wakes land in the local queue.
    if (out_of_work && !signal.is_woken()) {
        add_single_writer(parks_, 1);
        if (on_park) on_park();
        parker_->park();
        if (on_unpark) on_unpark();
    } else if (++tick_ % kTasksPerDrive == 0) {
        driver->try_turn_nonblocking();  // busy: still look at I/O and timers now and then
    }
}

bool CurrentThreadScheduler::begin_block_in_place() {
    // Tokio panics the same way: the one thread that runs every task cannot
    // hand them to another while it blocks.
    throw std::logic_error(
        "pollen::block_in_place: can call blocking only when running on the multi-threaded runtime; "
        "use spawn_blocking on the current-thread runtime");
}

void CurrentThreadScheduler::fill_metrics(RuntimeMetrics& m) {
    m.workers = 0;
    m.polls = polls_.load(std::memory_order_relaxed);
    m.parks = parks_.load(std::memory_order_relaxed);
    std::lock_guard lock(inject_mu_);
    m.global_queue_depth = inject_.size();
}

void CurrentThreadScheduler::shutdown() {
    {
        std::lock_guard lock(inject_mu_);
        if (closed_) return;
        closed_ = true;
    }
    std::lock_guard driving(driver_mu_);
    owned_.close_and_drain([](Header* t) {
        shutdown_task(t);
        drop_reference(t);  // the list's reference
    });
    // Queue entries hold references only; the tasks are complete now.
    for (Header* t : local_) drop_reference(t);
    local_.clear();
    std::deque<Header*> injected;
    {
        std::lock_guard lock(inject_mu_);
        injected.swap(inject_);
        inject_nonempty_.store(false);
    }
    for (Header* t : injected) drop_reference(t);
    driver->shutdown();
}

}  // namespace pollen::detail
