#pragma once
// Test support: FaultPlan, the failures a test injects through the syscall
// seam (core/detail/syscall.hpp: sockets, the reactor's epoll, file writes).
//
//     test::FaultPlan plan;                     // declare it BEFORE the Runtime
//     plan.interrupt(Call::Recv, 3)             // every recv: 3 x EINTR, then the real call
//         .would_block(Call::Send, 2)           // every send: 2 x EAGAIN first
//         .cap(Call::Recv, 1000)                // and never more than 1000 bytes at once
//         .fail_after(Call::Write, 4096, ENOSPC);  // files: a disk that fills after 4 KiB
//     test::FaultPlan::Installed on(plan);      // uninstalled when `on` goes
//
// Storms count per (call, fd): "k failures, one real call, k failures...".
// A faked EAGAIN or short read/write re-arms the fd in epoll (EPOLL_CTL_MOD):
// the bytes it pretended were not there (or the room it pretended was not)
// would have raised a new edge on arrival; with edge-triggered epoll, a bare
// fake on the last bytes would hang any correct program. Each rule can be changed while the plan is installed
// (the EMFILE window); the plan is thread-safe (one mutex: tests only).

#include <sys/epoll.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <utility>

#include <pollen/core/detail/syscall.hpp>

namespace pollen::test {

class FaultPlan final : public detail::sys::FaultInjector {
public:
    using Call = detail::sys::Call;
    static constexpr int kCalls = static_cast<int>(Call::Write) + 1;

    FaultPlan() = default;
    FaultPlan(const FaultPlan&) = delete;
    FaultPlan& operator=(const FaultPlan&) = delete;

    /// Installs the plan in the seam for its lifetime.
    class Installed {
    public:
        explicit Installed(FaultPlan& plan) { detail::sys::set_fault_injector(&plan); }
        ~Installed() { detail::sys::set_fault_injector(nullptr); }
        Installed(const Installed&) = delete;
        Installed& operator=(const Installed&) = delete;
    };

    // ---- the rules (any Call; for files, Call::Write)
    /// Every `call` fails with EINTR `k` times before each real attempt.
    FaultPlan& interrupt(Call call, unsigned k) { return set(rules_[idx(call)].eintr, k); }
    /// Every `call` fails with EAGAIN `k` times (after the EINTRs) before each real attempt.
    FaultPlan& would_block(Call call, unsigned k) { return set(rules_[idx(call)].eagain, k); }
    /// No `call` moves more than `max_len` bytes (short reads and writes).
    FaultPlan& cap(Call call, std::size_t max_len) { return set(rules_[idx(call)].cap, max_len); }
    /// Every `call` fails with `error` (0: stop failing), e.g. EMFILE on accept.
    FaultPlan& fail(Call call, int error) { return set(rules_[idx(call)].fail, error); }
    /// `call` on `fd` moves `bytes` more bytes, then fails with `error` for good
    /// (a connection reset in the middle of a stream); `error` 0 drops the rule.
    FaultPlan& fail_after(Call call, int fd, std::uint64_t bytes, int error) {
        return set_budget({idx(call), fd}, bytes, error);
    }
    /// As above for every fd together, for calls on fds the test never sees
    /// (a full disk: Call::Write, ENOSPC). A per-fd rule goes first.
    FaultPlan& fail_after(Call call, std::uint64_t bytes, int error) {
        return set_budget({idx(call), kAnyFd}, bytes, error);
    }

    // ---- what happened
    /// Calls of `call` seen by the seam, faked failures included.
    std::uint64_t calls(Call call) const { return calls_[idx(call)].load(); }
    /// Failures the plan faked for `call`.
    std::uint64_t injected(Call call) const { return injected_[idx(call)].load(); }

    // ---- the seam's side
    detail::sys::Fault before(Call call, int fd, std::size_t len) noexcept override {
        const int i = idx(call);
        calls_[i].fetch_add(1);
        std::lock_guard lock(mu_);
        const Rule& rule = rules_[i];
        if (rule.fail != 0) return faked(i, rule.fail);
        // File writes are never in the poll set: nothing to re-arm for them.
        const bool polled = call != Call::Write;
        bool shortened = false;
        if (Budget* b = budget(i, fd)) {
            if (b->bytes == 0) return faked(i, b->error);
            if (b->bytes < len) {
                len = static_cast<std::size_t>(b->bytes);
                shortened = true;
            }
        }
        if (rule.eintr + rule.eagain > 0) {
            unsigned& step = steps_[{i, fd}];
            unsigned at = step;
            step = (step + 1) % (rule.eintr + rule.eagain + 1);
            if (at < rule.eintr) return faked(i, EINTR);
            if (at < rule.eintr + rule.eagain) {
                if (polled) rearm(fd);
                return faked(i, EAGAIN);
            }
        }
        if (rule.cap < len) {
            len = rule.cap;
            shortened = true;
        }
        // A short read or write tells the library the kernel's buffer is now
        // empty (full); a faked one is not, so the edge it would wait for is
        // raised by hand, like a faked EAGAIN's.
        if (shortened && polled) rearm(fd);
        return {0, len};
    }

    void after(Call call, int fd, long result) noexcept override {
        if (result <= 0 || (call != Call::Recv && call != Call::Send && call != Call::Write)) return;
        std::lock_guard lock(mu_);
        if (Budget* b = budget(idx(call), fd))
            b->bytes -= std::min<std::uint64_t>(b->bytes, static_cast<std::uint64_t>(result));
    }

    void watching(int poll_fd, int fd, std::uint32_t events, void* data) noexcept override {
        std::lock_guard lock(mu_);
        watched_[fd] = Watch{poll_fd, events, data};
        for (int i = 0; i < kCalls; ++i) steps_.erase({i, fd});  // a reused fd number starts afresh
    }

private:
    struct Rule {
        unsigned eintr = 0, eagain = 0;
        std::size_t cap = SIZE_MAX;
        int fail = 0;
    };
    struct Budget {
        std::uint64_t bytes = 0;
        int error = 0;
    };
    struct Watch {
        int poll_fd;
        std::uint32_t events;
        void* data;
    };

    static constexpr int kAnyFd = -1;
    static int idx(Call c) { return static_cast<int>(c); }

    FaultPlan& set_budget(std::pair<int, int> key, std::uint64_t bytes, int error) {
        std::lock_guard lock(mu_);
        if (error == 0)
            budgets_.erase(key);
        else
            budgets_[key] = Budget{bytes, error};
        return *this;
    }
    // Under mu_: the fd's own budget, else the one for every fd of the call.
    Budget* budget(int i, int fd) {
        if (auto b = budgets_.find({i, fd}); b != budgets_.end()) return &b->second;
        if (auto b = budgets_.find({i, kAnyFd}); b != budgets_.end()) return &b->second;
        return nullptr;
    }

    template <class T, class V>
    FaultPlan& set(T& field, V value) {
        std::lock_guard lock(mu_);
        field = static_cast<T>(value);
        return *this;
    }

    detail::sys::Fault faked(int i, int error) {
        injected_[i].fetch_add(1);
        return {error, 0};
    }

    // Under mu_, so a registration of a reused fd number (watching) cannot
    // slip between the lookup and the MOD: a stale `data` is never re-armed.
    void rearm(int fd) {
        auto w = watched_.find(fd);
        if (w == watched_.end()) return;
        epoll_event ev{};
        ev.events = w->second.events;
        ev.data.ptr = w->second.data;
        ::epoll_ctl(w->second.poll_fd, EPOLL_CTL_MOD, fd, &ev);  // ENOENT once deregistered: harmless
    }

    mutable std::mutex mu_;
    Rule rules_[kCalls];
    std::map<std::pair<int, int>, Budget> budgets_;
    std::map<std::pair<int, int>, unsigned> steps_;
    std::map<int, Watch> watched_;
    std::atomic<std::uint64_t> calls_[kCalls] = {};
    std::atomic<std::uint64_t> injected_[kCalls] = {};
};

}  // namespace pollen::test
