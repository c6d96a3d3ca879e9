#pragma once
/// CancellationToken: a cancellation signal shared by tasks, tokio-util's
/// `sync::CancellationToken`.
///
///     pollen::CancellationToken token;
///     auto child = token.child_token();   // cancelled with its parent, not vice versa
///     token.cancelled()                   // future, Ready once cancelled
///     token.cancel();                     // idempotent; wakes every cancelled() future
///
/// Copies are handles to one token. Tokens form a tree: cancelling one
/// cancels its whole subtree, at once, and a child made from a cancelled
/// token starts cancelled. When the last handle of a child goes away, the
/// child detaches from its parent (its own children move up to the parent,
/// so they are still cancelled with it). The tree shares one small mutex.
///
/// `cancelled()`'s poll is Ready once the token is cancelled, else Pending
/// with the task's waker queued; `cancel()` wakes it from the cancelling
/// thread. The future holds a handle of the token, so it may outlive the
/// token it came from. Destroying it mid-way only unlinks it. It draws on the
/// cooperative budget and must not be moved after its first poll.
///
/// `token.run_until_cancelled(fut)` (tokio-util's) races `fut` against the
/// token: Ready(some(output)) if `fut` finishes first, Ready(nullopt) once the
/// token is cancelled, `fut` then destroyed at once. As in tokio-util, a token
/// already cancelled at the first poll gives nullopt without polling `fut`;
/// later polls poll `fut` first, so when both are ready the output wins. It
/// too holds a handle of the token (it is also tokio-util's
/// `run_until_cancelled_owned`). Destroying it mid-way destroys `fut` and
/// unlinks its waiter.
///
/// `cancel()` wakes every waiter even if a waker throws; the first exception
/// then propagates from `cancel()`, the whole subtree cancelled already.

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/coop.hpp"
#include "../core/future_ext.hpp"
#include "detail/wait_list.hpp"

namespace pollen {

namespace detail {

struct CancelWaiter : Waiter {
    std::atomic<bool> done{false};  ///< set last by the canceller
};

/// One token of the tree; its handles are the CancellationTokens.
struct TreeNode {
    explicit TreeNode(std::shared_ptr<std::mutex> m) : tree(std::move(m)) {}

    std::shared_ptr<std::mutex> tree;  ///< one per tree: guards the fields below
    std::atomic<bool> cancelled{false};
    std::atomic<std::size_t> handles{1};
    TreeNode* parent = nullptr;
    std::vector<TreeNode*> children;
    std::size_t index_in_parent = 0;
    WaitList<CancelWaiter> waiters;
};

std::shared_ptr<TreeNode> new_child_node(TreeNode& parent);
void cancel_node(TreeNode& node);
/// The last handle is gone: unhooks the node, its children move up.
void detach_node(TreeNode& node);
bool poll_cancel_waiter(TreeNode& node, CancelWaiter& w, bool& queued, const Waker& waker);
void cancel_cancel_waiter(TreeNode& node, CancelWaiter& w);

}  // namespace detail

class WaitForCancellation;
class DropGuard;
template <Future F>
class RunUntilCancelled;

class CancellationToken {
public:
    /// A new root token, not cancelled.
    CancellationToken()
        : node_(std::make_shared<detail::TreeNode>(std::make_shared<std::mutex>())) {}
    CancellationToken(const CancellationToken& other) : node_(other.node_) {
        node_->handles.fetch_add(1, std::memory_order_relaxed);
    }
    CancellationToken(CancellationToken&& other) noexcept = default;
    CancellationToken& operator=(const CancellationToken& other) {
        if (this != &other) *this = CancellationToken(other);
        return *this;
    }
    CancellationToken& operator=(CancellationToken&& other) noexcept {
        if (this != &other) {
            release();
            node_ = std::move(other.node_);
        }
        return *this;
    }
    ~CancellationToken() { release(); }

    /// A token cancelled whenever this one is (and on its own `cancel()`).
    CancellationToken child_token() const { return CancellationToken(detail::new_child_node(*node_)); }

    /// Cancels this token and its descendants; wakes their cancelled() futures.
    void cancel() const { detail::cancel_node(*node_); }
    bool is_cancelled() const { return node_->cancelled.load(std::memory_order_acquire); }

    /// A future Ready once this token is cancelled.
    inline WaitForCancellation cancelled() const;

    /// A guard that cancels this token when destroyed (unless disarmed).
    inline DropGuard drop_guard() const;

    /// `fut`'s output (some) unless this token is cancelled first (nullopt).
    template <Future F>
    RunUntilCancelled<F> run_until_cancelled(F fut) const;

    bool operator==(const CancellationToken& other) const { return node_ == other.node_; }

private:
    friend class WaitForCancellation;
    explicit CancellationToken(std::shared_ptr<detail::TreeNode> n) : node_(std::move(n)) {}
    void release() {
        if (node_ && node_->handles.fetch_sub(1, std::memory_order_acq_rel) == 1) detail::detach_node(*node_);
        node_.reset();
    }
    std::shared_ptr<detail::TreeNode> node_;
};

/// The future of `CancellationToken::cancelled()`.
class WaitForCancellation : public FutureExt<WaitForCancellation> {
public:
    using Output = void;

    WaitForCancellation(WaitForCancellation&& other) noexcept
        : token_(std::move(other.token_)), pin_(std::move(other.pin_)) {
        assert(!other.queued_ && "pollen: a waiting cancelled() future was moved");
    }
    WaitForCancellation& operator=(WaitForCancellation&&) = delete;
    ~WaitForCancellation() {
        if (queued_) detail::cancel_cancel_waiter(*token_.node_, node_);
    }

    Poll<void> poll(Context& cx) {
        pin_.on_poll(this);
        if (!coop::poll_proceed(cx)) return pending;
        if (queued_ ? node_.done.load(std::memory_order_acquire) : token_.is_cancelled()) {
            if (queued_) node_.waker.reset();  // unlinked, untouched by the canceller now
            queued_ = false;
            return ready();
        }
        if (detail::poll_cancel_waiter(*token_.node_, node_, queued_, cx.waker())) return ready();
        coop::refund();
        return pending;
    }

    /// For task dumps (core/trace.hpp): the token's address.
    void describe(TraceVisitor& v) const {
        v.waits_on("cancelled() of CancellationToken " + trace::address(token_.node_.get()));
    }

private:
    friend class CancellationToken;
    template <Future F>
    friend class RunUntilCancelled;
    explicit WaitForCancellation(CancellationToken t) : token_(std::move(t)) {}
    CancellationToken token_;  // declared first: outlives node_'s unlinking
    bool queued_ = false;
    detail::CancelWaiter node_;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// The future of `CancellationToken::run_until_cancelled(fut)` (see above).
template <Future F>
class RunUntilCancelled : public FutureExt<RunUntilCancelled<F>> {
public:
    using Output = std::optional<unit_if_void_t<output_t<F>>>;

    RunUntilCancelled(RunUntilCancelled&&) = default;
    RunUntilCancelled& operator=(RunUntilCancelled&&) = delete;
    // Members die in reverse order: fut_ first, then the token's waiter.
    ~RunUntilCancelled() = default;

    Poll<Output> poll(Context& cx) {
        pin_.on_poll(this);
        assert(fut_ && "pollen: RunUntilCancelled polled after it completed");
        if (!started_) {
            started_ = true;
            if (cancelled_.token_.is_cancelled()) return cancelled_now();
        }
        if (auto p = fut_->poll(cx); p.is_ready()) {
            fut_.reset();
            if constexpr (std::is_void_v<output_t<F>>) return Ready<Output>{Output(Unit{})};
            else return Ready<Output>{Output(p.take())};
        }
        // `fut` may have spent the budget; the cancellation must still be
        // seen (tokio-util's cancellation future draws on no budget).
        coop::BudgetScope unconstrained(-1);
        if (cancelled_.poll(cx).is_pending()) return pending;
        return cancelled_now();
    }

    /// For task dumps (core/trace.hpp): the future, then the cancellation it races.
    void describe(TraceVisitor& v) const {
        if (fut_) v.child(*fut_);
        v.child(cancelled_);
    }

private:
    friend class CancellationToken;
    RunUntilCancelled(WaitForCancellation c, F fut) : cancelled_(std::move(c)), fut_(std::in_place, std::move(fut)) {}

    Poll<Output> cancelled_now() {
        fut_.reset();
        return Ready<Output>{Output(std::nullopt)};
    }

    WaitForCancellation cancelled_;
    std::optional<F> fut_;
    bool started_ = false;
    [[no_unique_address]] detail::PinCheck pin_;
};

/// Cancels its token when destroyed, unless `disarm()`ed (tokio-util's DropGuard).
class DropGuard {
public:
    explicit DropGuard(CancellationToken t) : token_(std::move(t)) {}
    DropGuard(DropGuard&&) noexcept = default;
    DropGuard& operator=(DropGuard&&) = delete;
    ~DropGuard() {
        if (token_) token_->cancel();
    }
    /// Gives the token back without cancelling it.
    CancellationToken disarm() {
        CancellationToken t = std::move(*token_);
        token_.reset();
        return t;
    }

private:
    std::optional<CancellationToken> token_;
};

inline WaitForCancellation CancellationToken::cancelled() const { return WaitForCancellation(*this); }
inline DropGuard CancellationToken::drop_guard() const { return DropGuard(*this); }
template <Future F>
RunUntilCancelled<F> CancellationToken::run_until_cancelled(F fut) const {
    return RunUntilCancelled<F>(cancelled(), std::move(fut));
}

}  // namespace pollen
