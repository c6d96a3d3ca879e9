#include "multi_thread.hpp"

#include <pthread.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "../../../core/detail/single_writer.hpp"
#include "../defer.hpp"
#include "../task/poll_clock.hpp"

namespace pollen::detail {

namespace {
constexpr std::uint32_t kGlobalQueueInterval = 61;  // Tokio's: inject checked first every 61 ticks
constexpr std::uint32_t kMaxLifoStreak = 3;

thread_local void* tls_owner = nullptr;  // the MultiThreadScheduler this worker thread belongs to
thread_local void* tls_worker = nullptr;
// This thread's, not the Worker's: a worker handed off by block_in_place
// must not share it with the thread still finishing that poll.
thread_local PollClock tls_poll_clock;

std::uint64_t next_random(std::uint64_t& s) {  // xorshift64*: cheap victim choice
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
}
}  // namespace

MultiThreadScheduler::MultiThreadScheduler(const Builder::Config& config, std::shared_ptr<Driver> d)
    : config_(config), idle_(config.worker_threads) {
    driver = std::move(d);
    workers_.reserve(config.worker_threads);
    for (std::size_t i = 0; i < config.worker_threads; ++i) {
        auto w = std::make_unique<Worker>();
        w->index = i;
        w->parker = std::make_unique<Parker>(driver);
        w->rng = 0x9E3779B97F4A7C15ull * (i + 1);
        workers_.push_back(std::move(w));
    }
}

MultiThreadScheduler::~MultiThreadScheduler() { shutdown(); }

void MultiThreadScheduler::start() {
    for (auto& w : workers_) start_thread(*w);
}

void MultiThreadScheduler::start_thread(Worker& w) {
    std::lock_guard lock(threads_mu_);
    Worker* worker = &w;
    threads_.emplace_back([this, worker] {
        if (worker_main(*worker)) return;  // shutdown joins this thread
        // It gave its worker away (block_in_place): nobody joins it, so it
        // leaves the list detached. Nothing of `this` is touched after the unlock.
        std::lock_guard lock(threads_mu_);
        auto me = std::find_if(threads_.begin(), threads_.end(),
                               [](const std::thread& t) { return t.get_id() == std::this_thread::get_id(); });
        if (me != threads_.end()) {  // else shutdown took it and is joining it
            me->detach();
            threads_.erase(me);
        }
    });
    std::string name = config_.thread_name.substr(0, 15);  // the kernel's limit
    pthread_setname_np(threads_.back().native_handle(), name.c_str());
}

MultiThreadScheduler::Worker* MultiThreadScheduler::current_worker() {
    return tls_owner == this ? static_cast<Worker*>(tls_worker) : nullptr;
}

bool MultiThreadScheduler::worker_main(Worker& w) {
    tls_owner = this;
    tls_worker = &w;
    EnterGuard enter(this);
    DeferScope defer;  // this thread's yields (yield_now), woken after driver turns
    if (config_.on_thread_start) config_.on_thread_start();
    while (!shutdown_.load(std::memory_order_acquire)) {
        Header* t = next_local(w);
        if (!t) t = search(w);
        if (t) {
            // Whatever found the work, a searcher that runs a task must stop
            // counting as one, or producers would keep relying on it to steal.
            if (w.searching) transition_from_searching(w);
            run(w, t);
            if (tls_worker != &w) break;  // handed off during that poll: `w` is another thread's now
            continue;
        }
        // Only yielders left: a non-blocking turn rather than a park, then
        // they run again (Tokio's park_timeout(0) when did_defer_tasks).
        if (!defer.list().is_empty()) {
            turn_then_wake_deferred(w);
            continue;
        }
        park(w);
    }
    // Stopping or handed off: the yielders left go to this worker's queue
    // (which shutdown empties) or, handed off, to the inject queue.
    while (!defer.list().is_empty()) defer.list().take_and_wake();
    bool kept = tls_worker == &w;
    if (config_.on_thread_stop) config_.on_thread_stop();
    tls_owner = tls_worker = nullptr;
    return kept;
}

bool MultiThreadScheduler::begin_block_in_place() {
    Worker* w = current_worker();
    // Not a worker (block_on's thread, or one already handed off), or not in
    // a task's poll (a waker run by the worker's own loop): block as is.
    if (!w || !w->polling) return false;
    // This thread's yielders go with the worker (to its queue), rather than
    // wait for the blocking call to end.
    wake_deferred(*w);
    w->polling = false;
    // This thread stays in the task's poll; from here on it is no worker, so
    // the tasks it wakes go to the inject queue. A new thread takes the
    // worker as it stands (it is between two polls of its own loop: not
    // searching, not parked, not turning the reactor).
    tls_owner = nullptr;
    tls_worker = nullptr;
    start_thread(*w);
    return true;
}

Header* MultiThreadScheduler::next_local(Worker& w) {
    // A task from the LIFO slot runs in the tick of the one that woke it, as
    // in Tokio (its run_task loop): a chain of spawns or a ping-pong is not
    // charged a driver turn every 61 links; the streak cap bounds the tick.
    if (w.lifo && w.lifo_streak < kMaxLifoStreak) {
        ++w.lifo_streak;
        return std::exchange(w.lifo, nullptr);
    }
    if (++w.tick % kGlobalQueueInterval == 0) {
        // Busy workers still look at I/O and timers, and run their yielders.
        turn_then_wake_deferred(w);
        if (Header* t = inject_.pop_batch(w.queue, workers_.size())) return t;
    }
    if (w.lifo) {
        // The streak is over: back of the queue, behind the others.
        push_local(w, std::exchange(w.lifo, nullptr));
    }
    w.lifo_streak = 0;
    if (Header* t = w.queue.pop()) return t;
    return inject_.pop_batch(w.queue, workers_.size());
}

void MultiThreadScheduler::turn_then_wake_deferred(Worker& w) {
    w.in_driver = true;
    driver->try_turn_nonblocking();
    w.in_driver = false;
    wake_deferred(w);
    tls_poll_clock.clear();
    notify_if_work_piled_up(w);
}

void MultiThreadScheduler::wake_deferred(Worker& w) {
    Defer* defer = current_defer();
    if (!defer || defer->is_empty()) return;
    w.waking_deferred = true;  // schedule() queues them behind the others, not in the LIFO slot
    defer->take_and_wake();
    w.waking_deferred = false;
}

Header* MultiThreadScheduler::search(Worker& w) {
    if (!transition_to_searching(w)) return nullptr;
    std::size_t n = workers_.size();
    std::size_t start = next_random(w.rng) % n;
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t victim = (start + i) % n;
        if (victim == w.index) continue;
        std::uint32_t before = w.queue.len();
        if (Header* t = workers_[victim]->queue.steal_into(w.queue)) {
            add_single_writer(w.stats.steals, 1);
            add_single_writer(w.stats.stolen_tasks, w.queue.len() - before + 1);
            return t;
        }
    }
    return inject_.pop();
}

void MultiThreadScheduler::run(Worker& w, Header* task) {
    add_single_writer(w.stats.polls, 1);
    w.polling = true;
    run_task(task, &tls_poll_clock);
    // Not after a hand-off: `w` is the new thread's by then (it starts
    // with polling already false, see begin_block_in_place).
    if (tls_worker == &w) w.polling = false;
}

bool MultiThreadScheduler::transition_to_searching(Worker& w) {
    if (w.searching) return true;
    if (!idle_.transition_worker_to_searching()) return false;
    w.searching = true;
    return true;
}

void MultiThreadScheduler::transition_from_searching(Worker& w) {
    w.searching = false;
    // The last searcher found work: there may be more, so wake someone to look.
    if (idle_.transition_worker_from_searching()) notify_parked();
}

void MultiThreadScheduler::notify_parked() {
    if (std::optional<std::size_t> index = idle_.worker_to_notify()) workers_[*index]->parker->unpark();
}

bool MultiThreadScheduler::any_work_visible() {
    if (!inject_.is_empty()) return true;
    for (auto& w : workers_)
        if (!w->queue.is_empty()) return true;
    return false;
}

void MultiThreadScheduler::park(Worker& w) {
    idle_.transition_worker_to_parked(w.index, std::exchange(w.searching, false));
    // Announced as sleeping; now look once more, so that work pushed by a
    // producer that saw us still awake is not stranded.
    bool must_stay_awake = shutdown_.load(std::memory_order_acquire) || any_work_visible();
    if (!must_stay_awake) {
        add_single_writer(w.stats.parks, 1);
        if (config_.on_thread_park) config_.on_thread_park();
        w.in_driver = true;
        w.parker->park();
        w.in_driver = false;
        if (config_.on_thread_unpark) config_.on_thread_unpark();
    }
    tls_poll_clock.clear();
    // A notifier that took us off the sleepers counted us as searching.
    if (idle_.transition_worker_from_parked(w.index)) w.searching = true;
    notify_if_work_piled_up(w);
}

void MultiThreadScheduler::notify_if_work_piled_up(Worker& w) {
    // More than this worker will run next: let a sleeper come and steal.
    // A searching worker needs no help: producers count on it already.
    if (!w.searching && (w.lifo != nullptr) + w.queue.len() > 1) notify_parked();
}

void MultiThreadScheduler::push_local(Worker& w, Header* task) {
    if (w.queue.try_push(task)) return;
    std::vector<Header*> batch;
    if (w.queue.take_half_for_overflow(batch)) {
        batch.push_back(task);
        inject_.push_batch(batch);
    } else {
        inject_.push(task);
    }
}

void MultiThreadScheduler::schedule(Header* task) {
    if (Worker* w = current_worker()) {
        if (w->waking_deferred) [[unlikely]] {
            // A yielder: behind the queued tasks; the caller notifies once.
            push_local(*w, task);
            return;
        }
        // The task just woken goes to the LIFO slot: it likely uses what the
        // waker just produced, still hot in this core's cache.
        Header* previous = std::exchange(w->lifo, task);
        if (previous) {
            push_local(*w, previous);
            if (!w->in_driver) notify_parked();
        }
        return;
    }
    inject_.push(task);
    notify_parked();
}

void MultiThreadScheduler::schedule_yield(Header* task) {
    if (Worker* w = current_worker()) {
        push_local(*w, task);
        if (!w->in_driver) notify_parked();
        return;
    }
    inject_.push(task);
    notify_parked();
}

void MultiThreadScheduler::drive_until_woken(BlockOnSignal& signal) {
    // This thread drives no reactor (the workers do): its yields (the
    // block_on future's own) are woken before it would sleep, as Tokio's
    // CachedParkThread::block_on does.
    if (Defer* defer = current_defer(); defer && !defer->is_empty()) defer->take_and_wake();
    if (!signal.is_woken()) signal.parker().park();
}

void MultiThreadScheduler::fill_metrics(RuntimeMetrics& m) {
    m.workers = workers_.size();
    m.global_queue_depth = inject_.len();
    for (auto& w : workers_) {
        WorkerMetrics wm;
        wm.polls = w->stats.polls.load(std::memory_order_relaxed);
        wm.steals = w->stats.steals.load(std::memory_order_relaxed);
        wm.stolen_tasks = w->stats.stolen_tasks.load(std::memory_order_relaxed);
        wm.parks = w->stats.parks.load(std::memory_order_relaxed);
        m.polls += wm.polls;
        m.steals += wm.steals;
        m.parks += wm.parks;
        m.per_worker.push_back(wm);
    }
}

void MultiThreadScheduler::shutdown() {
    std::call_once(shutdown_once_, [this] {
        shutdown_.store(true, std::memory_order_seq_cst);
        for (auto& w : workers_) w->parker->unpark();
        // Joined one at a time: a thread in block_in_place may still start
        // the worker's next thread, which is then found on a later round.
        for (;;) {
            std::thread t;
            {
                std::lock_guard lock(threads_mu_);
                if (threads_.empty()) break;
                t = std::move(threads_.back());
                threads_.pop_back();
            }
            if (t.get_id() == std::this_thread::get_id()) t.detach();
            else t.join();
        }
        owned_.close_and_drain([](Header* t) {
            shutdown_task(t);
            drop_reference(t);  // the list's reference
        });
        // What is left in queues are references to completed tasks.
        std::vector<Header*> left;
        inject_.close(left);
        for (auto& w : workers_) {
            if (w->lifo) left.push_back(std::exchange(w->lifo, nullptr));
            while (Header* t = w->queue.pop()) left.push_back(t);
        }
        for (Header* t : left) drop_reference(t);
        driver->shutdown();
    });
}

}  // namespace pollen::detail
