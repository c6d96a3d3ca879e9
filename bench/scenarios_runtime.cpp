// Scheduler scenarios of SCENARIOS.md (Tokio's rt_multi_threaded.rs):
// spawn_many_local, spawn_many_remote_idle, yield_many, ping_pong, chained_spawn.

#include <pollen.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <semaphore>
#include <vector>

#include "registry.hpp"
#include "support.hpp"

namespace pollen::bench {
namespace {

constexpr std::size_t kNumSpawn = 10'000;
constexpr std::size_t kYieldTasks = 200;
constexpr std::size_t kNumYield = 1'000;
constexpr std::size_t kNumPings = 1'000;
constexpr std::size_t kChainDepth = 1'000;

/// A count shared by many tasks; the one that brings it to zero fires `done`.
/// Only that one task touches `done`, so it needs no lock.
struct Countdown {
    Countdown(std::size_t n, oneshot::Sender<Unit> tx) : remaining(n), done(std::move(tx)) {}
    void count_down() {
        if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) signal(done);
    }
    std::atomic<std::size_t> remaining;
    std::optional<oneshot::Sender<Unit>> done;
    std::atomic<bool> failed{false};
};

// ------------------------------------------------------------ spawn_many_local

class CountDownTask : public FutureExt<CountDownTask> {
public:
    using Output = void;
    explicit CountDownTask(std::shared_ptr<Countdown> c) : c_(std::move(c)) {}
    Poll<void> poll(Context&) {
        c_->count_down();
        return ready();
    }

private:
    std::shared_ptr<Countdown> c_;
};

/// Spawns kNumSpawn counting tasks, then awaits the last one's signal.
class SpawnManyLocal : public FutureExt<SpawnManyLocal> {
public:
    using Output = Outcome;
    Poll<Output> poll(Context& cx) {
        if (!done_) {
            auto [tx, rx] = oneshot::channel<Unit>();
            auto shared = std::make_shared<Countdown>(kNumSpawn, std::move(tx));
            for (std::size_t i = 0; i < kNumSpawn; ++i) (void)pollen::spawn(CountDownTask(shared));
            done_.emplace(std::move(rx));
        }
        return poll_signal(*done_, cx);
    }

private:
    std::optional<oneshot::Receiver<Unit>> done_;
};

// ---------------------------------------------------- spawn_many_remote_idle

class SpawnManyRemoteIdle final : public Bench {
public:
    SpawnManyRemoteIdle() { handles_.reserve(kNumSpawn); }
    void iteration(Runtime& rt) override {
        auto handle = rt.handle();
        for (std::size_t i = 0; i < kNumSpawn; ++i) handles_.push_back(handle.spawn(Empty()));
        Outcome r = rt.block_on(AwaitAll<void>(handles_));
        handles_.clear();
        check(std::move(r));
    }

private:
    std::vector<JoinHandle<void>> handles_;
};

// ------------------------------------------------------------------ yield_many

/// Yields kNumYield times, then releases the semaphore the main thread waits on.
class YieldTask : public FutureExt<YieldTask> {
public:
    using Output = void;
    explicit YieldTask(std::counting_semaphore<>* done) : done_(done) {}
    Poll<void> poll(Context& cx) {
        while (left_ > 0) {
            if (!yield_) yield_.emplace(pollen::yield_now());
            if (yield_->poll(cx).is_pending()) return pending;
            yield_.reset();
            --left_;
        }
        done_->release();
        return ready();
    }

private:
    std::counting_semaphore<>* done_;
    std::size_t left_ = kNumYield;
    std::optional<decltype(pollen::yield_now())> yield_;
};

class YieldMany final : public Bench {
public:
    void iteration(Runtime& rt) override {
        for (std::size_t i = 0; i < kYieldTasks; ++i) (void)rt.spawn(YieldTask(&done_));
        for (std::size_t i = 0; i < kYieldTasks; ++i) done_.acquire();
    }

private:
    std::counting_semaphore<> done_{0};
};

// ------------------------------------------------------------------- ping_pong

/// Awaits the ping, answers with the pong.
class Ponger : public FutureExt<Ponger> {
public:
    using Output = void;
    Ponger(oneshot::Receiver<Unit> ping, oneshot::Sender<Unit> pong)
        : ping_(std::move(ping)), pong_(std::move(pong)) {}
    Poll<void> poll(Context& cx) {
        auto p = ping_.poll(cx);
        if (p.is_pending()) return pending;
        // A lost ping drops the pong sender, which the pinger sees as an error.
        if (p.value().is_ok()) signal(pong_);
        return ready();
    }

private:
    oneshot::Receiver<Unit> ping_;
    std::optional<oneshot::Sender<Unit>> pong_;
};

/// Spawns a Ponger, pings it, awaits the pong, counts down.
class Pinger : public FutureExt<Pinger> {
public:
    using Output = void;
    explicit Pinger(std::shared_ptr<Countdown> c) : c_(std::move(c)) {}
    Poll<void> poll(Context& cx) {
        if (!pong_) {
            auto [ping_tx, ping_rx] = oneshot::channel<Unit>();
            auto [pong_tx, pong_rx] = oneshot::channel<Unit>();
            (void)pollen::spawn(Ponger(std::move(ping_rx), std::move(pong_tx)));
            if (std::move(ping_tx).send(Unit{}).is_err()) c_->failed.store(true);
            pong_.emplace(std::move(pong_rx));
        }
        auto p = pong_->poll(cx);
        if (p.is_pending()) return pending;
        if (p.value().is_err()) c_->failed.store(true);
        c_->count_down();
        return ready();
    }

private:
    std::shared_ptr<Countdown> c_;
    std::optional<oneshot::Receiver<Unit>> pong_;
};

class PingPong : public FutureExt<PingPong> {
public:
    using Output = Outcome;
    Poll<Output> poll(Context& cx) {
        if (!done_) {
            auto [tx, rx] = oneshot::channel<Unit>();
            shared_ = std::make_shared<Countdown>(kNumPings, std::move(tx));
            for (std::size_t i = 0; i < kNumPings; ++i) (void)pollen::spawn(Pinger(shared_));
            done_.emplace(std::move(rx));
        }
        auto p = poll_signal(*done_, cx);
        if (p.is_ready() && shared_->failed.load())
            return fail("a ping or pong was lost");
        return p;
    }

private:
    std::optional<oneshot::Receiver<Unit>> done_;
    std::shared_ptr<Countdown> shared_;
};

// --------------------------------------------------------------- chained_spawn

/// Spawns the next link, or at depth 0 fires the signal.
class Chain : public FutureExt<Chain> {
public:
    using Output = void;
    Chain(oneshot::Sender<Unit> done, std::size_t n) : done_(std::move(done)), n_(n) {}
    Poll<void> poll(Context&) {
        if (n_ == 0) signal(done_);
        else (void)pollen::spawn(Chain(std::move(*done_), n_ - 1));
        return ready();
    }

private:
    std::optional<oneshot::Sender<Unit>> done_;
    std::size_t n_;
};

class ChainedSpawn : public FutureExt<ChainedSpawn> {
public:
    using Output = Outcome;
    Poll<Output> poll(Context& cx) {
        if (!done_) {
            auto [tx, rx] = oneshot::channel<Unit>();
            (void)pollen::spawn(Chain(std::move(tx), kChainDepth));
            done_.emplace(std::move(rx));
        }
        return poll_signal(*done_, cx);
    }

private:
    std::optional<oneshot::Receiver<Unit>> done_;
};

template <class Main>
std::unique_ptr<Bench> block_on_bench() {
    return fn_bench([](Runtime& rt) { check(rt.block_on(Main())); });
}

const RegisterScenario spawn_many_local{
    {"spawn_many_local", 1, kNumSpawn, &block_on_bench<SpawnManyLocal>}};
const RegisterScenario spawn_many_remote_idle{
    {"spawn_many_remote_idle", 2, kNumSpawn,
     []() -> std::unique_ptr<Bench> { return std::make_unique<SpawnManyRemoteIdle>(); }}};
const RegisterScenario yield_many{
    {"yield_many", 3, kYieldTasks * kNumYield,
     []() -> std::unique_ptr<Bench> { return std::make_unique<YieldMany>(); }}};
const RegisterScenario ping_pong{{"ping_pong", 4, kNumPings, &block_on_bench<PingPong>}};
const RegisterScenario chained_spawn{
    {"chained_spawn", 5, kChainDepth, &block_on_bench<ChainedSpawn>}};

}  // namespace
}  // namespace pollen::bench
