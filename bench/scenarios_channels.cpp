// Channel scenarios of SCENARIOS.md: oneshot_ping and the four mpsc ones
// (mpsc_bounded_contention, mpsc_bounded_full, mpsc_unbounded_contention,
// mpsc_uncontended), with the workloads of Tokio's benches/sync_mpsc.rs.
// (The mutex and notify scenarios go in their own files with their types.)

#include <pollen.hpp>

#include <optional>
#include <vector>

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

// ---------------------------------------------------------------- mpsc

constexpr std::size_t kMpscProducers = 5;
constexpr std::size_t kMpscPerProducer = 1'000;
constexpr std::size_t kMpscTotal = kMpscProducers * kMpscPerProducer;

/// `for i in 0..1000 { tx.send(i).await.unwrap(); }`
class BoundedProducer : public FutureExt<BoundedProducer> {
public:
    using Output = void;
    explicit BoundedProducer(mpsc::Sender<std::size_t> tx) : tx_(std::move(tx)) {}
    BoundedProducer(BoundedProducer&& o) noexcept : tx_(std::move(o.tx_)), i_(o.i_) {}

    Poll<void> poll(Context& cx) {
        while (i_ < kMpscPerProducer) {
            if (!send_) send_.emplace(tx_.send(i_));
            auto p = send_->poll(cx);
            if (p.is_pending()) return pending;
            if (p.value().is_err()) return ready();  // the receiver then reports it
            send_.reset();
            ++i_;
        }
        return ready();
    }

private:
    mpsc::Sender<std::size_t> tx_;
    std::size_t i_ = 0;
    std::optional<mpsc::Send<std::size_t>> send_;
};

/// `for i in 0..1000 { tx.send(i).unwrap(); }` (one poll, no await).
class UnboundedProducer : public FutureExt<UnboundedProducer> {
public:
    using Output = void;
    explicit UnboundedProducer(mpsc::UnboundedSender<std::size_t> tx) : tx_(std::move(tx)) {}
    Poll<void> poll(Context&) {
        for (std::size_t i = 0; i < kMpscPerProducer; ++i)
            if (tx_.send(i).is_err()) break;  // the receiver then reports it
        return ready();
    }

private:
    mpsc::UnboundedSender<std::size_t> tx_;
};

/// The `block_on` future of the contention scenarios: spawns the five
/// producers (each with a clone of the sender), drops its own sender, then
/// receives all 5,000 values.
template <class Tx, class Rx, class Producer>
class MpscContention : public FutureExt<MpscContention<Tx, Rx, Producer>> {
public:
    using Output = Outcome;
    MpscContention(Tx tx, Rx rx) : tx_(std::move(tx)), rx_(std::move(rx)) {}
    MpscContention(MpscContention&& o) noexcept
        : tx_(std::move(o.tx_)), rx_(std::move(o.rx_)), received_(o.received_) {}

    Poll<Output> poll(Context& cx) {
        if (tx_) {
            for (std::size_t p = 0; p < kMpscProducers; ++p) (void)pollen::spawn(Producer(*tx_));
            tx_.reset();
        }
        while (received_ < kMpscTotal) {
            auto p = rx_.poll_recv(cx);
            if (p.is_pending()) return pending;
            if (!p.value()) return fail("channel closed early");
            black_box(*p.value());
            ++received_;
        }
        return succeed();
    }

private:
    std::optional<Tx> tx_;
    Rx rx_;
    std::size_t received_ = 0;
};

std::unique_ptr<Bench> mpsc_bounded(std::size_t capacity) {
    return fn_bench([capacity](Runtime& rt) {
        auto [tx, rx] = mpsc::channel<std::size_t>(capacity);
        using F = MpscContention<mpsc::Sender<std::size_t>, mpsc::Receiver<std::size_t>, BoundedProducer>;
        check(rt.block_on(F(std::move(tx), std::move(rx))));
    });
}

/// In `block_on`: send 5,000 values into a channel of capacity 1,000,000,
/// then receive them.
class MpscUncontended : public FutureExt<MpscUncontended> {
public:
    using Output = Outcome;
    MpscUncontended() {
        auto [tx, rx] = mpsc::channel<std::size_t>(1'000'000);
        tx_.emplace(std::move(tx));
        rx_.emplace(std::move(rx));
    }
    MpscUncontended(MpscUncontended&& o) noexcept
        : tx_(std::move(o.tx_)), rx_(std::move(o.rx_)) {}

    Poll<Output> poll(Context& cx) {
        while (sent_ < kMpscTotal) {
            if (!send_) send_.emplace(tx_->send(sent_));
            auto p = send_->poll(cx);
            if (p.is_pending()) return pending;
            if (p.value().is_err()) return fail("receiver dropped");
            send_.reset();
            ++sent_;
        }
        while (received_ < kMpscTotal) {
            auto p = rx_->poll_recv(cx);
            if (p.is_pending()) return pending;
            if (!p.value()) return fail("channel closed early");
            black_box(*p.value());
            ++received_;
        }
        return succeed();
    }

private:
    std::optional<mpsc::Sender<std::size_t>> tx_;
    std::optional<mpsc::Receiver<std::size_t>> rx_;
    std::optional<mpsc::Send<std::size_t>> send_;
    std::size_t sent_ = 0, received_ = 0;
};

const RegisterScenario mpsc_bounded_contention{
    {"mpsc_bounded_contention", 6, kMpscTotal, [] { return mpsc_bounded(1'000'000); }}};
const RegisterScenario mpsc_bounded_full{
    {"mpsc_bounded_full", 7, kMpscTotal, [] { return mpsc_bounded(100); }}};
const RegisterScenario mpsc_unbounded_contention{
    {"mpsc_unbounded_contention", 8, kMpscTotal, []() -> std::unique_ptr<Bench> {
         return fn_bench([](Runtime& rt) {
             auto [tx, rx] = mpsc::unbounded_channel<std::size_t>();
             using F = MpscContention<mpsc::UnboundedSender<std::size_t>,
                                      mpsc::UnboundedReceiver<std::size_t>, UnboundedProducer>;
             check(rt.block_on(F(std::move(tx), std::move(rx))));
         });
     }}};
const RegisterScenario mpsc_uncontended{
    {"mpsc_uncontended", 9, kMpscTotal, []() -> std::unique_ptr<Bench> {
         return fn_bench([](Runtime& rt) { check(rt.block_on(MpscUncontended())); });
     }}};

}  // namespace
}  // namespace pollen::bench
