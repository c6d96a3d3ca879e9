// Memory scenario of SCENARIOS.md: idle_tasks, the resident memory of
// 100,000 tasks parked on their own oneshot.

#include <unistd.h>

#include <pollen.hpp>

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include "registry.hpp"
#include "support.hpp"

namespace pollen::bench {
namespace {

constexpr std::size_t kIdleTasks = 100'000;

/// Resident set size in bytes, from /proc/self/statm.
std::uint64_t rss_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) throw Failure("cannot read /proc/self/statm");
    unsigned long long size = 0, resident = 0;
    int n = std::fscanf(f, "%llu %llu", &size, &resident);
    std::fclose(f);
    if (n != 2) throw Failure("cannot parse /proc/self/statm");
    long page = sysconf(_SC_PAGESIZE);
    return resident * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

struct IdleShared {
    IdleShared(oneshot::Sender<Unit> tx) : all_polled(std::move(tx)) {}
    std::atomic<std::size_t> polled{0};
    std::optional<oneshot::Sender<Unit>> all_polled;  // fired by the last first poll
};

/// Reports its first poll, then parks on its own receiver.
class IdleTask : public FutureExt<IdleTask> {
public:
    using Output = void;
    IdleTask(std::shared_ptr<IdleShared> shared, oneshot::Receiver<Unit> rx)
        : shared_(std::move(shared)), rx_(std::move(rx)) {}
    Poll<void> poll(Context& cx) {
        if (shared_) {
            if (shared_->polled.fetch_add(1, std::memory_order_acq_rel) + 1 == kIdleTasks)
                signal(shared_->all_polled);
            shared_.reset();  // parked tasks hold only their receiver
        }
        if (rx_.poll(cx).is_pending()) return pending;
        return ready();
    }

private:
    std::shared_ptr<IdleShared> shared_;
    oneshot::Receiver<Unit> rx_;
};

class IdleTasks final : public Bench {
public:
    // Both vectors are built at full size up front, so their pages are
    // resident before the baseline and not counted as per-task memory.
    IdleTasks() : senders_(kIdleTasks), handles_(kIdleTasks) {}

    void iteration(Runtime& rt) override {
        first_ = !bytes_per_task_.has_value();
        std::uint64_t before = first_ ? rss_bytes() : 0;
        step_ = Step::Spawn;
        check(rt.block_on(Main(*this)));
        if (first_) bytes_per_task_ = (after_ > before ? after_ - before : 0) / kIdleTasks;
    }

    std::vector<std::pair<std::string, std::string>> extra() const override {
        return {{"bytes_per_task", std::to_string(bytes_per_task_.value_or(0))}};
    }

private:
    enum class Step { Spawn, AwaitPolled, AwaitHandles };

    /// The block_on future: spawn all, await their first polls, measure,
    /// complete every sender, await every handle.
    class Main : public FutureExt<Main> {
    public:
        using Output = Outcome;
        explicit Main(IdleTasks& b) : b_(&b) {}
        Poll<Output> poll(Context& cx) { return b_->poll_main(cx); }

    private:
        IdleTasks* b_;
    };

    Poll<Outcome> poll_main(Context& cx) {
        if (step_ == Step::Spawn) {
            auto [tx, rx] = oneshot::channel<Unit>();
            all_polled_.emplace(std::move(rx));
            auto shared = std::make_shared<IdleShared>(std::move(tx));
            for (std::size_t i = 0; i < kIdleTasks; ++i) {
                auto [task_tx, task_rx] = oneshot::channel<Unit>();
                senders_[i].emplace(std::move(task_tx));
                handles_[i].emplace(pollen::spawn(IdleTask(shared, std::move(task_rx))));
            }
            step_ = Step::AwaitPolled;
            next_ = 0;
        }
        if (step_ == Step::AwaitPolled) {
            auto p = poll_signal(*all_polled_, cx);
            if (p.is_pending()) return pending;
            all_polled_.reset();
            if (p.value().is_err()) return p;
            after_ = first_ ? rss_bytes() : 0;
            for (auto& tx : senders_) signal(tx);
            step_ = Step::AwaitHandles;
        }
        while (next_ < kIdleTasks) {
            auto p = handles_[next_]->poll(cx);
            if (p.is_pending()) return pending;
            handles_[next_].reset();
            if (p.value().is_err()) return fail(p.value().error().what());
            ++next_;
        }
        return succeed();
    }

    std::vector<std::optional<oneshot::Sender<Unit>>> senders_;
    std::vector<std::optional<JoinHandle<void>>> handles_;
    std::optional<oneshot::Receiver<Unit>> all_polled_;
    Step step_ = Step::Spawn;
    std::size_t next_ = 0;
    bool first_ = true;
    std::uint64_t after_ = 0;
    std::optional<std::uint64_t> bytes_per_task_;
};

const RegisterScenario idle_tasks{{"idle_tasks", 16, kIdleTasks, []() -> std::unique_ptr<Bench> {
                                       return std::make_unique<IdleTasks>();
                                   }}};

}  // namespace
}  // namespace pollen::bench
