#pragma once
/// The current-thread scheduler (Tokio's `new_current_thread`): tasks run
/// only on the thread inside `block_on`, between polls of its future. Wakes
/// from that thread go to a local queue; wakes from other threads go to an
/// injection queue and unpark the driving thread. Futures that yielded
/// (yield_now, defer.hpp) are woken after a non-blocking driver turn, at the
/// end of a drive: out of work (instead of parking) or after 61 tasks.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "../scheduler.hpp"

namespace pollen::detail {

class CurrentThreadScheduler final : public Scheduler {
public:
    explicit CurrentThreadScheduler(std::shared_ptr<Driver> driver);
    ~CurrentThreadScheduler() override;

    void schedule(Header* task) override;
    std::shared_ptr<Parker> block_on_parker() override { return parker_; }
    void enter_block_on() override;
    void exit_block_on() override;
    void drive_until_woken(BlockOnSignal& signal) override;
    void shutdown() override;
    void fill_metrics(RuntimeMetrics& m) override;
    bool begin_block_in_place() override;


    /// Builder::on_thread_park / on_thread_unpark, around the block_on
    /// thread's park. Set before the first block_on.
    std::function<void()> on_park;
    std::function<void()> on_unpark;

private:
    Header* next_task();
    bool is_driver_thread() const;

    std::shared_ptr<Parker> parker_;
    std::mutex driver_mu_;      // one block_on drives at a time (held throughout it)
    CurrentThreadScheduler* previous_driving_ = nullptr;
    std::deque<Header*> local_;  // touched only by the driving thread
    std::mutex inject_mu_;
    std::deque<Header*> inject_;
    std::atomic<bool> inject_nonempty_{false};
    bool closed_ = false;  // under inject_mu_
    std::uint32_t tick_ = 0;
    // Written by the driving thread only (add_single_writer), read by metrics.
    std::atomic<std::uint64_t> polls_{0};
    std::atomic<std::uint64_t> parks_{0};
};

}  // namespace pollen::detail
