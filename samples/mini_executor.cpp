// mini_executor: a complete single-threaded executor in one file, to show how
// Future, Context and Waker fit together. It follows the Rust async book's
// chapter 2.3, "Applied: Build an Executor", and uses nothing but pollen's
// core/ (Poll, Context, Waker, AtomicWaker, map).
//
//   Rust (the book)                                      pollen (this file)
//   BoxFuture<'static, ()>  (Pin<Box<dyn Future>>)       std::unique_ptr<DynFuture>
//   struct Task { future: Mutex<Option<BoxFuture>>,      struct Task
//                 task_sender: SyncSender<Arc<Task>> }
//   impl ArcWake for Task {                              Task::wake()
//       fn wake_by_ref(arc_self) { send(arc_self) } }
//   waker_ref(&task)                                     pollen::waker_from(shared_ptr<Task>)
//   Executor::run: while let Ok(task) = queue.recv()     MiniExecutor::run()
//   Spawner::spawn                                       MiniExecutor::spawn()
//
// The whole idea: a task is "a future plus a way back into the run queue".
// Polling hands the future a Waker; when the future cannot finish it keeps a
// clone of that Waker somewhere (a timer thread, a channel...), and waking it
// puts the task back in the queue, so the executor polls it again. Nothing is
// polled on a timer or in a busy loop: an idle executor sleeps.
//
// pollen::Runtime is this same machine grown up: several worker threads,
// work stealing, a reactor for I/O and timers, and a hand-made Waker vtable
// instead of one shared_ptr per Waker clone.

#include <pollen.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <concepts>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const Clock::time_point program_start = Clock::now();

long elapsed_ms() {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - program_start).count());
}

// ===========================================================================
// Part 1: the executor.

// One queue must hold futures of many different types, so the executor
// erases their type: Rust writes Pin<Box<dyn Future<Output = ()>>>, C++
// writes a virtual interface plus a template implementing it for any future.
// Being on the heap, a boxed future never moves once polled: that is the Pin.
struct DynFuture {
    virtual ~DynFuture() = default;
    virtual pollen::Poll<void> poll(pollen::Context& cx) = 0;
};

template <pollen::Future F>
struct Boxed final : DynFuture {
    explicit Boxed(F f) : fut(std::move(f)) {}
    pollen::Poll<void> poll(pollen::Context& cx) override { return fut.poll(cx); }
    F fut;
};

struct ReadyQueue;

// A task: the boxed future and the queue it goes back to when woken.
// `enable_shared_from_this` lets wake() push a shared_ptr to itself, like
// the book's `arc_self.clone()`.
struct Task : std::enable_shared_from_this<Task> {
    Task(std::string name, std::unique_ptr<DynFuture> future, std::shared_ptr<ReadyQueue> queue)
        : name(std::move(name)), future(std::move(future)), queue(std::move(queue)) {}

    // The Wake "trait": pollen::waker_from needs exactly this method. Any
    // thread may call it, any number of times.
    void wake();

    std::string name;
    // Only the executor's thread touches `future` (the book needs a Mutex
    // because Rust must prove that; here it is a rule we keep). Null once the
    // task has finished, so a late wake-up finds nothing to poll.
    std::unique_ptr<DynFuture> future;
    std::shared_ptr<ReadyQueue> queue;
};

// The run queue: the book's mpsc channel of Arc<Task>. Wakers push from any
// thread; the executor pops, sleeping while it is empty.
struct ReadyQueue {
    void push(std::shared_ptr<Task> task) {
        {
            std::lock_guard lock(mu_);
            tasks_.push_back(std::move(task));
        }
        cv_.notify_one();
    }
    std::shared_ptr<Task> pop() {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !tasks_.empty(); });
        std::shared_ptr<Task> task = std::move(tasks_.front());
        tasks_.pop_front();
        return task;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::shared_ptr<Task>> tasks_;
};

void Task::wake() { queue->push(shared_from_this()); }

class MiniExecutor {
public:
    /// Queues a new task. Like the book (and tokio::spawn with its result
    /// ignored), a task's output is `void`: use map to do something with a value.
    template <pollen::Future F>
        requires std::same_as<pollen::output_t<F>, void>
    void spawn(std::string name, F fut) {
        auto task = std::make_shared<Task>(std::move(name), std::make_unique<Boxed<F>>(std::move(fut)),
                                           queue_);
        ++live_tasks_;
        queue_->push(std::move(task));  // a new task is ready: it has never been polled
    }

    /// Runs until every task has finished.
    void run() {
        while (live_tasks_ > 0) {
            std::shared_ptr<Task> task = queue_->pop();  // sleeps until a waker pushes
            if (!task->future) continue;  // woken after it finished: nothing to do
            // The waker is the task itself. Each poll gets a fresh Waker; the
            // future clones it if it needs to keep it past this call.
            pollen::Waker waker = pollen::waker_from(task);
            pollen::Context cx(waker);
            ++polls_;
            if (task->future->poll(cx).is_ready()) {
                // Dropping the finished future also drops every Waker clone it
                // held, which point back at this task: no reference cycle remains.
                task->future.reset();
                --live_tasks_;
                std::printf("[%4ld ms] executor: task '%s' finished\n", elapsed_ms(), task->name.c_str());
            }
        }
    }

    int polls() const { return polls_; }

private:
    std::shared_ptr<ReadyQueue> queue_ = std::make_shared<ReadyQueue>();
    int live_tasks_ = 0;
    int polls_ = 0;
};

// ===========================================================================
// Part 2: hand-written futures to run on it.

// Delay: ready after `duration`, measured by a helper thread; the TimerFuture
// of timer_future.cpp in its AtomicWaker form. The thread stores `done`, then
// wakes; poll checks, registers, checks again, so no wake-up is lost.
class Delay {
public:
    using Output = void;

    explicit Delay(std::chrono::milliseconds duration) : shared_(std::make_shared<Shared>()) {
        thread_ = std::thread([shared = shared_, deadline = Clock::now() + duration] {
            {
                std::unique_lock lock(shared->mu);
                if (shared->cv.wait_until(lock, deadline, [&] { return shared->cancelled; })) return;
            }
            shared->done.store(true, std::memory_order_release);
            shared->waker.wake();
        });
    }
    // Destroying a Delay cancels it (Rust's drop): stop the thread and join it.
    ~Delay() {
        if (!thread_.joinable()) return;
        {
            std::lock_guard lock(shared_->mu);
            shared_->cancelled = true;
        }
        shared_->cv.notify_one();
        thread_.join();
    }
    Delay(Delay&&) = default;  // only before the first poll
    Delay& operator=(Delay&&) = delete;

    pollen::Poll<void> poll(pollen::Context& cx) {
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

// Chatty: prints, then yields `rounds` times before finishing. Rust:
//     for i in (0..rounds).rev() { println!(...); yield_now().await; }
// Yielding is "wake myself, then return Pending": the task goes to the back
// of the queue and the other ready tasks run first. pollen::yield_now() is
// this future.
struct Chatty {
    using Output = void;
    const char* name;
    int rounds;

    pollen::Poll<void> poll(pollen::Context& cx) {
        std::printf("[%4ld ms] %s (%d more)\n", elapsed_ms(), name, rounds);
        if (rounds == 0) return pollen::ready();
        --rounds;
        cx.waker().wake_by_ref();  // "poll me again, after the others"
        return pollen::pending;
    }
};

// Brew: what an `async fn` becomes. The Rust
//
//     async fn brew(name: &str) -> u32 {
//         println!("{name}: grinding");
//         Delay::new(40ms).await;
//         println!("{name}: pouring");
//         Delay::new(20ms).await;
//         2  // cups
//     }
//
// compiles to an enum with one state per `.await`, holding what lives across
// it; poll resumes from the current state. Written by hand, that is:
class Brew {
public:
    using Output = int;
    explicit Brew(const char* name) : name_(name) {}

    pollen::Poll<int> poll(pollen::Context& cx) {
        for (;;) {
            switch (state_) {
            case State::Start:
                std::printf("[%4ld ms] %s: grinding\n", elapsed_ms(), name_);
                // The Delay is built in place inside the optional: it is never
                // moved after it has been polled.
                delay_.emplace(40ms);
                state_ = State::Grinding;
                break;  // and poll the new Delay right away, as `.await` does
            case State::Grinding:
                if (delay_->poll(cx).is_pending()) return pollen::pending;  // suspend here
                std::printf("[%4ld ms] %s: pouring\n", elapsed_ms(), name_);
                delay_.emplace(20ms);  // the finished Delay is dropped first
                state_ = State::Pouring;
                break;
            case State::Pouring:
                if (delay_->poll(cx).is_pending()) return pollen::pending;
                delay_.reset();
                state_ = State::Done;
                return pollen::ready(2);
            case State::Done:
                // Polled after Ready: a caller bug. Rust panics with "`async fn`
                // resumed after completion"; an exception is pollen's panic.
                throw std::logic_error("Brew polled after completion");
            }
        }
    }

private:
    enum class State { Start, Grinding, Pouring, Done };
    const char* name_;
    State state_ = State::Start;
    std::optional<Delay> delay_;  // the variable that lives across the awaits
};

}  // namespace

int main() {
    MiniExecutor executor;

    executor.spawn("ping", Chatty{"ping", 2});
    executor.spawn("pong", Chatty{"pong", 2});
    // A task's output is void, so the cups are printed by a map (futures-rs's
    // FutureExt::map: run a function on the output once it is ready).
    executor.spawn("espresso", pollen::map(Brew("espresso"), [](int cups) {
                       std::printf("[%4ld ms] espresso: %d cups ready\n", elapsed_ms(), cups);
                   }));
    executor.spawn("timer", pollen::map(Delay(30ms), [] {
                       std::printf("[%4ld ms] timer: 30 ms elapsed\n", elapsed_ms());
                   }));

    std::printf("[%4ld ms] executor: 4 tasks spawned, running\n", elapsed_ms());
    executor.run();
    // ping and pong interleave because each yields; the timers run
    // concurrently, so everything is over after ~60 ms (the longest chain),
    // with the executor asleep in between.
    std::printf("[%4ld ms] executor: all tasks finished after %d polls\n", elapsed_ms(),
                executor.polls());
    return 0;
}
