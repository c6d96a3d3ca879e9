#pragma once
/// pollen::testing::cancel_at_every_point: destroys a future (or a stream) at
/// every point where it can be destroyed, and checks that each destruction
/// leaves the world as it should (tokio-test's spirit, loom's exhaustiveness
/// over the one thing a state machine cannot hide: where it was cut).
///
///     pollen::Semaphore sem(1);
///     std::optional<pollen::SemaphorePermit> held;
///     auto report = pollen::testing::cancel_at_every_point([&] { return sem.acquire(); })
///         .setup([&] { held.emplace(sem.try_acquire().unwrap()); })  // a fresh world per instance
///         .step([&] { held.reset(); })                                // progress between polls
///         .invariant("every permit is back", [&] { held.reset(); return sem.available_permits() == 1; })
///         .run();
///     EXPECT_TRUE(report.ok()) << report;   // prints which point broke what
///     EXPECT_EQ(report.points, 3u);
///
/// How it runs. An instance is driven through the fixed sequence
/// poll, step, poll, step, ... (without a step: poll, poll, ...). Instance
/// number n is cut after the first n actions of that sequence: made by the
/// factory, driven, then destroyed. n = 0, 1, 2, ... until an instance
/// completes on its own (a future: Ready; a stream: Ready(nullopt), or the
/// number of items given to `items(n)`). Every instance gets:
/// - `setup()` before it is made and `teardown()` after its checks, so each
///   starts from the same world (a fresh channel with a value in it, the
///   mutex held by someone else...);
/// - its own counting Waker, so the checks below are per instance.
///
/// Checks, each reported with the point where it failed:
/// - "lost waker": a poll returned Pending while no clone of the waker was
///   alive and the waker had not been woken (nothing could ever wake it);
/// - "waker leak": a clone of the waker is still alive once the instance was
///   destroyed (or, with `wakers_released_by_teardown()`, once the world was
///   torn down, for futures whose registration outlives them by design, like
///   a socket's readiness slot);
/// - every `invariant(name, fn)` holds right after the instance was
///   destroyed (and after it completed);
/// - an instance completes within `max_points(n)` (default 10000).
///
/// The step sees the instance's wake count (`Step::wakes()`) and can wait for
/// the next wake with `Step::wait_for_wake(bound)`, for worlds that progress
/// on other threads (a multi-thread runtime's reactor). Futures that need a
/// runtime are driven from inside one (poll by hand inside a runtime's
/// context; see test/cancel_every_point_*_test.cpp).
///
/// Single-threaded: run() polls on the calling thread. Wakers may be cloned,
/// woken and dropped from any thread. The header uses only the standard
/// library and pollen's core, and knows nothing of GoogleTest: a test asserts
/// on the returned CancelReport, whose `operator<<` says what went wrong.

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "../context.hpp"
#include "../future.hpp"
#include "../poll.hpp"
#include "../stream/stream.hpp"
#include "../waker.hpp"

namespace pollen::testing {

/// What a run saw. `ok()` is what a test usually asserts.
struct CancelReport {
    std::size_t points = 0;             ///< instances destroyed before they completed
    bool completed = false;             ///< an instance completed on its own
    std::size_t polls_to_complete = 0;  ///< polls the completing instance needed
    std::vector<std::string> failures;  ///< readable, in order; empty when every check held

    bool ok() const { return completed && failures.empty(); }

    std::string to_string() const {
        std::ostringstream out;
        out << "cancel_at_every_point: " << points << " cancellation point(s) visited, "
            << (completed ? "completed after " + std::to_string(polls_to_complete) + " poll(s)"
                          : std::string("never completed"));
        for (const auto& f : failures) out << "\n  - " << f;
        return out.str();
    }
    friend std::ostream& operator<<(std::ostream& os, const CancelReport& r) { return os << r.to_string(); }
};

namespace detail {

/// The counting state behind one instance's Waker. The runner holds one
/// reference and every Waker one more; the last to let go frees it, so a
/// leaked clone woken or dropped late touches live memory (the leak itself
/// is reported by the run).
struct WakerCount {
    std::atomic<long> refs{1};
    std::atomic<std::size_t> wakes{0};

    /// Clones of the waker alive now.
    long live() const { return refs.load() - 1; }
    void release() {
        if (refs.fetch_sub(1) == 1) delete this;
    }

    static WakerCount& of(const void* d) { return *static_cast<WakerCount*>(const_cast<void*>(d)); }
    static RawWaker clone(const void* d) {
        of(d).refs.fetch_add(1);
        return RawWaker{d, &vtable};
    }
    static void wake(const void* d) {
        of(d).wakes.fetch_add(1);  // the wake happens before the release
        of(d).release();
    }
    static void wake_by_ref(const void* d) { of(d).wakes.fetch_add(1); }
    static void drop(const void* d) { of(d).release(); }
    static constexpr RawWakerVTable vtable{clone, wake, wake_by_ref, drop};

    Waker waker() {
        refs.fetch_add(1);
        return Waker(RawWaker{this, &vtable});
    }
};

template <class T>
concept CancelTarget = Future<T> || Stream<T>;

/// What on_output sees: a future's output, or a stream's item.
template <class T>
struct TargetOutput;
template <Future T>
struct TargetOutput<T> {
    using type = output_t<T>;
};
template <Stream T>
    requires(!Future<T>)
struct TargetOutput<T> {
    using type = item_t<T>;
};

template <class T>
struct OutputCallbackOf {
    using type = std::function<bool(T&)>;
};
template <>
struct OutputCallbackOf<void> {
    using type = std::function<bool()>;
};
template <class T>
using OutputCallback = typename OutputCallbackOf<T>::type;

}  // namespace detail

/// What a step callback may look at: which step this is and how often the
/// instance under test was woken.
class Step {
public:
    Step(std::size_t index, std::size_t instance, const detail::WakerCount& count, std::size_t wakes_at_poll,
         bool last_poll_pending)
        : index_(index), instance_(instance), count_(&count), wakes_at_poll_(wakes_at_poll),
          last_poll_pending_(last_poll_pending) {}

    /// 0 for the step after the first poll, 1 after the second...
    std::size_t index() const { return index_; }
    /// The instance being driven (also its cut point).
    std::size_t instance() const { return instance_; }
    /// False when the poll before this step made progress (a stream's item),
    /// so no wake is to be waited for.
    bool last_poll_pending() const { return last_poll_pending_; }
    /// Wakes of the instance's waker so far (wake and wake_by_ref).
    std::size_t wakes() const { return count_->wakes.load(); }
    /// True once the instance was woken after its last poll started.
    bool woken_since_poll() const { return wakes() > wakes_at_poll_; }
    /// Spins (yielding) until woken_since_poll(), for worlds driven by other
    /// threads. The bound only turns a hang into `false`; it is not a timing claim.
    bool wait_for_wake(std::chrono::milliseconds bound = std::chrono::seconds(10)) const {
        auto give_up = std::chrono::steady_clock::now() + bound;
        while (!woken_since_poll()) {
            if (std::chrono::steady_clock::now() > give_up) return false;
            std::this_thread::yield();
        }
        return true;
    }

private:
    std::size_t index_;
    std::size_t instance_;
    const detail::WakerCount* count_;
    std::size_t wakes_at_poll_;
    bool last_poll_pending_;
};

/// The run's configuration and the run itself; made by cancel_at_every_point.
template <class Make>
class CancelAtEveryPoint {
public:
    using Target = std::decay_t<std::invoke_result_t<Make&>>;
    static_assert(detail::CancelTarget<Target>, "the factory must return a pollen Future or Stream");
    static constexpr bool kIsStream = !Future<Target> && Stream<Target>;

    explicit CancelAtEveryPoint(Make make) : make_(std::move(make)) {}

    /// Called before each instance is made: builds or resets the world.
    CancelAtEveryPoint& setup(std::function<void()> fn) {
        setup_ = std::move(fn);
        return *this;
    }
    /// Called after each instance was destroyed and checked.
    CancelAtEveryPoint& teardown(std::function<void()> fn) {
        teardown_ = std::move(fn);
        return *this;
    }
    /// Progress between two polls: `void()` or `void(const Step&)`.
    template <class Fn>
    CancelAtEveryPoint& step(Fn fn) {
        if constexpr (std::is_invocable_v<Fn&, const Step&>) step_ = std::move(fn);
        else step_ = [fn = std::move(fn)](const Step&) mutable { fn(); };
        return *this;
    }
    /// Must hold after every destruction and completion; `name` is reported.
    CancelAtEveryPoint& invariant(std::string name, std::function<bool()> holds) {
        invariants_.emplace_back(std::move(name), std::move(holds));
        return *this;
    }
    /// Sees the output of a completing future (nothing for void), or each
    /// item a stream yields, to check values. Return false to report it.
    template <class Fn>
    CancelAtEveryPoint& on_output(Fn fn) {
        on_output_ = std::move(fn);
        return *this;
    }
    /// For streams: the instance counts as complete after `n` items (for
    /// streams that never end: intervals, channel receivers kept open).
    CancelAtEveryPoint& items(std::size_t n) {
        items_ = n;
        return *this;
    }
    /// Gives up (and reports it) after this many cut points.
    CancelAtEveryPoint& max_points(std::size_t n) {
        max_points_ = n;
        return *this;
    }
    /// Checks for waker leaks after teardown rather than right after the
    /// instance was destroyed (its registration lives in the world by design).
    CancelAtEveryPoint& wakers_released_by_teardown() {
        wakers_after_teardown_ = true;
        return *this;
    }
    /// Skips the "Pending with no waker alive" check (for futures that are
    /// meant to be woken by nothing, like future::pending()).
    CancelAtEveryPoint& allow_pending_without_waker() {
        lost_waker_check_ = false;
        return *this;
    }
    /// Waits up to `bound` for waker clones dropped by other threads after
    /// the instance is gone (a worker finishing its wake) before calling it a leak.
    CancelAtEveryPoint& settle(std::chrono::milliseconds bound) {
        settle_ = bound;
        return *this;
    }

    CancelReport run() {
        CancelReport report;
        for (std::size_t cut = 0; cut < max_points_; ++cut) {
            bool completed = run_instance(cut, report);
            if (completed) {
                report.completed = true;
                return report;
            }
            ++report.points;
            if (report.failures.size() >= kMaxFailures) {
                report.failures.push_back("(stopped after " + std::to_string(kMaxFailures) + " failures)");
                return report;
            }
        }
        report.failures.push_back("no instance completed within " + std::to_string(max_points_) + " cut points");
        return report;
    }

private:
    static constexpr std::size_t kMaxFailures = 8;

    using OutputFn = detail::OutputCallback<typename detail::TargetOutput<Target>::type>;

    /// Drives one instance through `cut` actions; true when it completed.
    bool run_instance(std::size_t cut, CancelReport& report) {
        if (setup_) setup_();
        auto* count = new detail::WakerCount;
        std::size_t polls = 0, steps = 0;
        bool completed = false;
        std::size_t items_seen = 0;
        auto where = [&] {
            return "instance " + std::to_string(cut) + " (cut after " + std::to_string(polls) + " poll(s), " +
                   std::to_string(steps) + " step(s))";
        };
        {
            std::optional<Target> instance(std::in_place, make_());
            std::size_t wakes_at_poll = 0;
            bool last_pending = false;
            for (std::size_t action = 0; action < cut && !completed; ++action) {
                bool is_poll = !step_ || action % 2 == 0;
                if (is_poll) {
                    wakes_at_poll = count->wakes.load();
                    ++polls;
                    bool pending = poll_instance(*instance, *count, report, where, completed, items_seen);
                    last_pending = pending;
                    if (pending && lost_waker_check_ && count->live() == 0 &&
                        count->wakes.load() == wakes_at_poll)
                        report.failures.push_back(where() +
                                                  ": lost waker: Pending with no clone of the waker alive "
                                                  "and no wake");
                } else {
                    step_(Step(steps, cut, *count, wakes_at_poll, last_pending));
                    ++steps;
                }
            }
            if (completed) report.polls_to_complete = polls;
        }  // the instance is destroyed here: the cancellation (or the end) under test
        if (!wakers_after_teardown_) check_wakers(*count, report, where);
        for (auto& [name, holds] : invariants_)
            if (!holds())
                report.failures.push_back(where() + (completed ? " completed" : " destroyed") +
                                          ": invariant \"" + name + "\" does not hold");
        if (teardown_) teardown_();
        if (wakers_after_teardown_) check_wakers(*count, report, where);
        count->release();
        return completed;
    }

    template <class Where>
    void check_wakers(detail::WakerCount& count, CancelReport& report, Where& where) {
        auto give_up = std::chrono::steady_clock::now() + settle_;
        while (count.live() != 0 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
        long live = count.live();
        if (live != 0)
            report.failures.push_back(where() + ": waker leak: " + std::to_string(live) +
                                      " clone(s) of the waker still alive after " +
                                      (wakers_after_teardown_ ? "teardown" : "the instance was destroyed"));
    }

    /// One poll (or poll_next); true when Pending.
    template <class Where>
    bool poll_instance(Target& t, detail::WakerCount& count, CancelReport& report, Where& where, bool& completed,
                       std::size_t& items_seen) {
        Waker waker = count.waker();
        Context cx(waker);
        if constexpr (kIsStream) {
            auto p = t.poll_next(cx);
            if (p.is_pending()) return true;
            auto& item = p.value();
            if (!item.has_value()) {
                completed = true;
                return false;
            }
            ++items_seen;
            if (on_output_ && !on_output_(*item))
                report.failures.push_back(where() + ": on_output rejected item " + std::to_string(items_seen));
            if (items_ && items_seen >= *items_) completed = true;
            return false;
        } else {
            auto p = t.poll(cx);
            if (p.is_pending()) return true;
            completed = true;
            bool accepted = true;
            if constexpr (std::is_void_v<output_t<Target>>) {
                if (on_output_) accepted = on_output_();
            } else {
                if (on_output_) accepted = on_output_(p.value());
            }
            if (!accepted) report.failures.push_back(where() + ": on_output rejected the output");
            return false;
        }
    }

    Make make_;
    std::function<void()> setup_;
    std::function<void()> teardown_;
    std::function<void(const Step&)> step_;
    std::vector<std::pair<std::string, std::function<bool()>>> invariants_;
    OutputFn on_output_;
    std::optional<std::size_t> items_;
    std::size_t max_points_ = 10000;
    bool wakers_after_teardown_ = false;
    bool lost_waker_check_ = true;
    std::chrono::milliseconds settle_{0};
};

/// Starts configuring a run over the futures (or streams) `make()` returns.
template <class Make>
CancelAtEveryPoint<Make> cancel_at_every_point(Make make) {
    return CancelAtEveryPoint<Make>(std::move(make));
}

/// The same, spelled for streams: each poll is a poll_next.
template <class Make>
    requires Stream<std::decay_t<std::invoke_result_t<Make&>>>
CancelAtEveryPoint<Make> cancel_stream_at_every_point(Make make) {
    return CancelAtEveryPoint<Make>(std::move(make));
}

}  // namespace pollen::testing
