// Time scenarios of SCENARIOS.md (Tokio's time_timeout.rs and friends):
// timer_churn, timer_register_cancel, sleep_many.

#include <pollen.hpp>

#include <chrono>
#include <optional>
#include <vector>

#include "registry.hpp"
#include "support.hpp"

namespace pollen::bench {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kTimerSteps = 10'000;
constexpr std::size_t kSleepTasks = 10'000;

/// `timeout(60 s, ready future)` kTimerSteps times: a timeout whose inner
/// future is ready at once must not touch the timer heap at all.
class TimerChurn : public FutureExt<TimerChurn> {
public:
    using Output = Outcome;
    Poll<Output> poll(Context& cx) {
        std::size_t sum = 0;
        for (std::size_t i = 0; i < kTimerSteps; ++i) {
            auto t = time::timeout(60s, future::ready(std::size_t{1}));
            auto p = t.poll(cx);
            if (p.is_pending() || p.value().is_err()) return fail("ready future timed out");
            sum += p.value().value();
        }
        black_box(sum);
        return sum == kTimerSteps ? succeed() : fail("wrong sum");
    }
};

/// `timeout(60 s, yield_now())` kTimerSteps times: the first poll registers
/// the timer (the yield is pending), the second cancels it.
class TimerRegisterCancel : public FutureExt<TimerRegisterCancel> {
public:
    using Output = Outcome;
    Poll<Output> poll(Context& cx) {
        while (done_ < kTimerSteps) {
            if (!current_) current_.emplace(time::timeout(60s, yield_now()));
            auto p = current_->poll(cx);
            if (p.is_pending()) return pending;
            if (p.value().is_err()) return fail("yield timed out");
            current_.reset();
            ++done_;
        }
        return succeed();
    }

private:
    std::size_t done_ = 0;
    std::optional<time::Timeout<YieldNow>> current_;
};

/// kSleepTasks tasks each sleep 1 ms; block_on awaits every JoinHandle.
class SleepMany : public FutureExt<SleepMany> {
public:
    using Output = Outcome;
    Poll<Output> poll(Context& cx) {
        if (!all_) {
            handles_.reserve(kSleepTasks);
            for (std::size_t i = 0; i < kSleepTasks; ++i) handles_.push_back(pollen::spawn(time::sleep(1ms)));
            all_.emplace(handles_);
        }
        return all_->poll(cx);
    }

private:
    std::vector<JoinHandle<void>> handles_;
    std::optional<AwaitAll<void>> all_;
};

template <class Main>
std::unique_ptr<Bench> block_on_bench() {
    return fn_bench([](Runtime& rt) { check(rt.block_on(Main())); });
}

const RegisterScenario timer_churn{{"timer_churn", 13, kTimerSteps, &block_on_bench<TimerChurn>}};
const RegisterScenario timer_register_cancel{
    {"timer_register_cancel", 14, kTimerSteps, &block_on_bench<TimerRegisterCancel>}};
const RegisterScenario sleep_many{{"sleep_many", 15, kSleepTasks, &block_on_bench<SleepMany>}};

}  // namespace
}  // namespace pollen::bench
