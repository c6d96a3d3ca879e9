// Channel scenarios of SCENARIOS.md that need only the oneshot: oneshot_ping.
// (The mpsc, mutex and notify scenarios go in their own files with their types.)

#include <pollen.hpp>

#include <optional>

#include "registry.hpp"
#include "support.hpp"

namespace pollen::bench {
namespace {

constexpr std::size_t kOneshotPings = 10'000;

class SendTask : public FutureExt<SendTask> {
public:
    using Output = void;
    SendTask(oneshot::Sender<std::size_t> tx, std::size_t v) : tx_(std::move(tx)), v_(v) {}
    Poll<void> poll(Context&) {
        if (tx_) (void)std::move(*tx_).send(v_);
        tx_.reset();
        return ready();
    }

private:
    std::optional<oneshot::Sender<std::size_t>> tx_;
    std::size_t v_;
};

/// 10,000 times: a oneshot, a spawned task sending on it, the receiver awaited.
class OneshotPing : public FutureExt<OneshotPing> {
public:
    using Output = Outcome;
    Poll<Output> poll(Context& cx) {
        while (i_ < kOneshotPings) {
            if (!rx_) {
                auto [tx, rx] = oneshot::channel<std::size_t>();
                (void)pollen::spawn(SendTask(std::move(tx), i_));
                rx_.emplace(std::move(rx));
            }
            auto p = rx_->poll(cx);
            if (p.is_pending()) return pending;
            if (p.value().is_err()) return fail("sender dropped");
            sum_ += *p.value();
            rx_.reset();
            ++i_;
        }
        black_box(sum_);
        return succeed();
    }

private:
    std::size_t i_ = 0;
    std::size_t sum_ = 0;
    std::optional<oneshot::Receiver<std::size_t>> rx_;
};

const RegisterScenario oneshot_ping{
    {"oneshot_ping", 10, kOneshotPings, []() -> std::unique_ptr<Bench> {
         return fn_bench([](Runtime& rt) { check(rt.block_on(OneshotPing())); });
     }}};

}  // namespace
}  // namespace pollen::bench
