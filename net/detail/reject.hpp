#pragma once
/// detail::Reject<S>: a connection that net::serve turns away past
/// `ServeOptions::max_connections` (with `reject_when_full` set): it writes
/// the reply, half-closes (FIN), then reads and drops whatever the client
/// still sends until the client closes too, and is Ready; the stream closes
/// when it is destroyed. Closing at once, with the client's request unread,
/// would send a reset that can destroy the reply before the client read it.
///
/// The whole of it is bounded by `linger` from its first poll (a client that
/// neither reads nor closes cannot keep it), and any error ends it at once:
/// there is nobody left to tell. Destroying it mid-way closes the stream.
/// It must not be moved after its first poll (its timer is in the heap);
/// one task polls it.

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "../../core/coop.hpp"
#include "../../core/future.hpp"
#include "../../core/future_ext.hpp"
#include "../../reactor/instant.hpp"
#include "../../reactor/sleep.hpp"

namespace pollen::net::detail {

template <class S>
class Reject : public FutureExt<Reject<S>> {
public:
    using Output = void;

    Reject(S stream, std::shared_ptr<const std::string> reply, time::Duration linger)
        : stream_(std::move(stream)), reply_(std::move(reply)), linger_(linger) {}

    Poll<void> poll(Context& cx) {
        pin_.on_poll(this);
        if (!deadline_) deadline_.emplace(time::Instant::now() + linger_);
        for (;;) {
            if (phase_ == Phase::kWrite) {
                if (written_ == reply_->size()) {
                    phase_ = Phase::kShutdown;
                    continue;
                }
                auto rest = std::as_bytes(std::span(reply_->data() + written_, reply_->size() - written_));
                auto p = stream_.poll_write(cx, rest);
                if (p.is_pending()) break;
                auto r = p.take();
                if (r.is_err() || r.value() == 0) return ready();
                written_ += r.value();
            } else if (phase_ == Phase::kShutdown) {
                auto p = stream_.poll_shutdown(cx);
                if (p.is_pending()) break;
                if (p.take().is_err()) return ready();
                phase_ = Phase::kDrain;
            } else {
                auto p = stream_.poll_read(cx, scratch_);
                if (p.is_pending()) break;
                auto r = p.take();
                if (r.is_err() || r.value() == 0) return ready();  // the client closed too
            }
        }
        // The stream may have spent the task's budget; the deadline must still be seen.
        coop::BudgetScope unconstrained(-1);
        return deadline_->poll(cx);
    }

private:
    enum class Phase { kWrite, kShutdown, kDrain };

    S stream_;
    std::shared_ptr<const std::string> reply_;  // shared: the Serve may be gone before this task
    time::Duration linger_;
    std::optional<time::Sleep> deadline_;
    Phase phase_ = Phase::kWrite;
    std::size_t written_ = 0;
    std::array<std::byte, 512> scratch_{};
    [[no_unique_address]] pollen::detail::PinCheck pin_;
};

}  // namespace pollen::net::detail
