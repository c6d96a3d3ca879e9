#include "runtime.hpp"

#include <thread>

#include "detail/current_thread.hpp"
#include "detail/multi_thread.hpp"

namespace pollen {

Builder Runtime::builder() { return Builder::new_multi_thread(); }

Runtime& Runtime::operator=(Runtime&& other) noexcept {
    if (this != &other) {
        if (sched_) sched_->shutdown();
        sched_ = std::move(other.sched_);
    }
    return *this;
}

Runtime::~Runtime() {
    if (sched_) sched_->shutdown();
}

Builder::Builder(Flavor f) {
    config_.flavor = f;
    config_.worker_threads = std::max(1u, std::thread::hardware_concurrency());
}

Builder& Builder::worker_threads(std::size_t n) {
    config_.worker_threads = n == 0 ? 1 : n;
    return *this;
}
Builder& Builder::thread_name(std::string name) {
    config_.thread_name = std::move(name);
    return *this;
}
Builder& Builder::on_thread_start(std::function<void()> fn) {
    config_.on_thread_start = std::move(fn);
    return *this;
}
Builder& Builder::on_thread_stop(std::function<void()> fn) {
    config_.on_thread_stop = std::move(fn);
    return *this;
}
Builder& Builder::max_blocking_threads(std::size_t n) {
    config_.max_blocking_threads = n == 0 ? 1 : n;
    return *this;
}
Builder& Builder::thread_keep_alive(std::chrono::milliseconds d) {
    config_.thread_keep_alive = d;
    return *this;
}
Builder& Builder::warn_on_slow_poll(std::chrono::microseconds d) {
    config_.slow_poll = d;
    return *this;
}
Builder& Builder::enable_all() {
    config_.enable_io_time = true;
    return *this;
}

Runtime Builder::build() {
    if (config_.flavor == Flavor::CurrentThread)
        return Runtime(std::make_shared<detail::CurrentThreadScheduler>());
    auto s = std::make_shared<detail::MultiThreadScheduler>(config_);
    s->start();
    return Runtime(std::move(s));
}

}  // namespace pollen
