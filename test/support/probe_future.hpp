#pragma once
// Test support: Probe<T>, a future that records what happens to it.
//
//     pollen::test::ProbeLog log;                       // declare it first
//     auto a = pollen::test::Probe<int>(log, "a", 1, 2); // Pending twice, then Ready(1)
//     auto b = pollen::test::Probe<int>::never(log, "b");
//     ...
//     EXPECT_EQ(log.drops(), (std::vector<std::string>{"a", "b"}));
//
// Each poll appends "poll:<name>" and each destruction "drop:<name>" to the
// log (a moved-from Probe records nothing). While Pending it keeps a clone of
// the last waker it saw, released on destruction or completion, so
// "a combinator released every waker" is visible on a CountingWaker.
// A Probe may be moved at any time (it does not pin-check), so it can be
// handed back by select/select_all.

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pollen/core/future_ext.hpp>

namespace pollen::test {

/// Events of Probes in order; single-threaded.
class ProbeLog {
public:
    void record(std::string event) { events_.push_back(std::move(event)); }
    const std::vector<std::string>& events() const { return events_; }
    /// Names of the probes destroyed, in order.
    std::vector<std::string> drops() const { return with_prefix("drop:"); }
    /// Names of the probes polled, in order (one entry per poll).
    std::vector<std::string> polls() const { return with_prefix("poll:"); }
    void clear() { events_.clear(); }

private:
    std::vector<std::string> with_prefix(const std::string& prefix) const {
        std::vector<std::string> out;
        for (const auto& e : events_)
            if (e.rfind(prefix, 0) == 0) out.push_back(e.substr(prefix.size()));
        return out;
    }
    std::vector<std::string> events_;
};

template <class T>
class Probe : public FutureExt<Probe<T>> {
public:
    using Output = T;
    static constexpr std::size_t kForever = std::numeric_limits<std::size_t>::max();

    /// Pending for `pending_polls` polls, then Ready(value).
    Probe(ProbeLog& log, std::string name, T value, std::size_t pending_polls = 0)
        : log_(&log), name_(std::move(name)), value_(std::move(value)), pending_left_(pending_polls) {}
    /// Never ready.
    static Probe never(ProbeLog& log, std::string name, T placeholder = T{}) {
        return Probe(log, std::move(name), std::move(placeholder), kForever);
    }

    Probe(Probe&& o) noexcept
        : log_(std::exchange(o.log_, nullptr)), name_(std::move(o.name_)), value_(std::move(o.value_)),
          pending_left_(o.pending_left_), waker_(std::move(o.waker_)) {}
    Probe& operator=(Probe&&) = delete;
    ~Probe() {
        if (log_) log_->record("drop:" + name_);
    }

    Poll<T> poll(Context& cx) {
        log_->record("poll:" + name_);
        if (pending_left_ > 0) {
            if (pending_left_ != kForever) --pending_left_;
            waker_ = cx.waker();
            return pending;
        }
        waker_.reset();
        return Ready<T>{std::move(*value_)};
    }

    /// True while the probe holds a waker clone.
    bool holds_waker() const { return waker_.has_value(); }

private:
    ProbeLog* log_;
    std::string name_;
    std::optional<T> value_;
    std::size_t pending_left_;
    std::optional<Waker> waker_;
};

/// The void-output probe: same behaviour, Ready() at the end.
template <>
class Probe<void> : public FutureExt<Probe<void>> {
public:
    using Output = void;
    static constexpr std::size_t kForever = std::numeric_limits<std::size_t>::max();

    Probe(ProbeLog& log, std::string name, std::size_t pending_polls = 0)
        : log_(&log), name_(std::move(name)), pending_left_(pending_polls) {}
    static Probe never(ProbeLog& log, std::string name) { return Probe(log, std::move(name), kForever); }

    Probe(Probe&& o) noexcept
        : log_(std::exchange(o.log_, nullptr)), name_(std::move(o.name_)), pending_left_(o.pending_left_),
          waker_(std::move(o.waker_)) {}
    Probe& operator=(Probe&&) = delete;
    ~Probe() {
        if (log_) log_->record("drop:" + name_);
    }

    Poll<void> poll(Context& cx) {
        log_->record("poll:" + name_);
        if (pending_left_ > 0) {
            if (pending_left_ != kForever) --pending_left_;
            waker_ = cx.waker();
            return pending;
        }
        waker_.reset();
        return ready();
    }

    bool holds_waker() const { return waker_.has_value(); }

private:
    ProbeLog* log_;
    std::string name_;
    std::size_t pending_left_;
    std::optional<Waker> waker_;
};

}  // namespace pollen::test
