// Sync scenarios of SCENARIOS.md: mutex_contended and notify_waiters, the
// same workloads as the Tokio anchor's (tokio-bench/src/scenarios.rs).

#include <pollen.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "registry.hpp"
#include "support.hpp"

namespace pollen::bench {
namespace {

constexpr std::size_t kMutexTasks = 8;
constexpr std::size_t kMutexLocks = 1'000;
constexpr std::size_t kNotifyTasks = 10;
constexpr std::size_t kNotifyRounds = 1'000;

using Counter = Mutex<std::uint64_t>;

/// `for _ in 0..1000 { *m.lock().await += 1; }`
class LockLoop : public FutureExt<LockLoop> {
public:
    using Output = void;
    explicit LockLoop(std::shared_ptr<Counter> m) : m_(std::move(m)) {}
    LockLoop(LockLoop&& o) noexcept : m_(std::move(o.m_)) {}

    Poll<void> poll(Context& cx) {
        while (i_ < kMutexLocks) {
            if (!lock_) lock_.emplace(m_->lock());
            auto p = lock_->poll(cx);
            if (p.is_pending()) return pending;
            lock_.reset();
            *p.value() += 1;  // the guard unlocks when `p` goes
            ++i_;
        }
        return ready();
    }

private:
    std::shared_ptr<Counter> m_;
    std::size_t i_ = 0;
    std::optional<MutexLock<std::uint64_t>> lock_;
};

/// Spawns the 8 lockers, awaits them, then checks the total under the lock.
class MutexContended : public FutureExt<MutexContended> {
public:
    using Output = Outcome;

    Poll<Output> poll(Context& cx) {
        if (handles_.empty()) {
            handles_.reserve(kMutexTasks);
            for (std::size_t i = 0; i < kMutexTasks; ++i) handles_.push_back(pollen::spawn(LockLoop(m_)));
            all_.emplace(handles_);
        }
        if (all_) {
            auto p = all_->poll(cx);
            if (p.is_pending()) return pending;
            all_.reset();
            if (p.value().is_err()) return Ready<Outcome>{std::move(p.value())};
            final_.emplace(m_->lock());
        }
        auto p = final_->poll(cx);
        if (p.is_pending()) return pending;
        std::uint64_t v = *p.value();
        if (v != kMutexTasks * kMutexLocks)
            return fail("mutex total " + std::to_string(v) + " != " + std::to_string(kMutexTasks * kMutexLocks));
        return succeed();
    }

private:
    std::shared_ptr<Counter> m_ = std::make_shared<Counter>(0);
    std::vector<JoinHandle<void>> handles_;
    std::optional<AwaitAll<void>> all_;
    std::optional<MutexLock<std::uint64_t>> final_;
};

struct NotifyShared {
    Notify notify;
    std::atomic<std::size_t> finished{0};
};

/// `for _ in 0..1000 { notify.notified().await; } finished += 1`
class NotifiedLoop : public FutureExt<NotifiedLoop> {
public:
    using Output = void;
    explicit NotifiedLoop(std::shared_ptr<NotifyShared> s) : s_(std::move(s)) {}
    NotifiedLoop(NotifiedLoop&& o) noexcept : s_(std::move(o.s_)) {}

    Poll<void> poll(Context& cx) {
        while (i_ < kNotifyRounds) {
            if (!n_) n_.emplace(s_->notify.notified());
            if (n_->poll(cx).is_pending()) return pending;
            n_.reset();
            ++i_;
        }
        s_->finished.fetch_add(1, std::memory_order_release);
        return ready();
    }

private:
    std::shared_ptr<NotifyShared> s_;
    std::size_t i_ = 0;
    std::optional<Notified> n_;
};

/// Spawns the 10 waiters, then `notify_waiters(); yield_now().await` until
/// all have finished, then awaits their handles.
class NotifyWaiters : public FutureExt<NotifyWaiters> {
public:
    using Output = Outcome;

    Poll<Output> poll(Context& cx) {
        if (handles_.empty()) {
            handles_.reserve(kNotifyTasks);
            for (std::size_t i = 0; i < kNotifyTasks; ++i) handles_.push_back(pollen::spawn(NotifiedLoop(s_)));
        }
        if (!all_) {
            for (;;) {
                if (yield_) {
                    if (yield_->poll(cx).is_pending()) return pending;
                    yield_.reset();
                }
                if (s_->finished.load(std::memory_order_acquire) >= kNotifyTasks) break;
                s_->notify.notify_waiters();
                yield_.emplace(yield_now());
            }
            all_.emplace(handles_);
        }
        return all_->poll(cx);
    }

private:
    std::shared_ptr<NotifyShared> s_ = std::make_shared<NotifyShared>();
    std::vector<JoinHandle<void>> handles_;
    std::optional<YieldNow> yield_;
    std::optional<AwaitAll<void>> all_;
};

template <class Main>
std::unique_ptr<Bench> block_on_bench() {
    return fn_bench([](Runtime& rt) { check(rt.block_on(Main())); });
}

const RegisterScenario mutex_contended{
    {"mutex_contended", 11, kMutexTasks * kMutexLocks, &block_on_bench<MutexContended>}};
const RegisterScenario notify_waiters{
    {"notify_waiters", 12, kNotifyTasks * kNotifyRounds, &block_on_bench<NotifyWaiters>}};

}  // namespace
}  // namespace pollen::bench
