#include "accept_backoff.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "../../core/log.hpp"

namespace pollen::net::detail {

namespace {

bool is_fd_shortage(const io::Error& ec) {
    return ec == std::errc::too_many_files_open || ec == std::errc::too_many_files_open_in_system ||
           ec == std::errc::no_buffer_space || ec == std::errc::not_enough_memory;
}

// One warning a second at most for the whole process: a listener under fd
// pressure would otherwise log on every retry of every listener.
void warn_rate_limited(const io::Error& ec, time::Duration pause) {
    static std::atomic<std::int64_t> last_ns{0};
    std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count();
    std::int64_t last = last_ns.load(std::memory_order_relaxed);
    if (now - last < 1'000'000'000 && last != 0) return;
    if (!last_ns.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
    pollen::detail::log().warn("accept failed: {}; pausing accepts for {} ms (raise RLIMIT_NOFILE?)",
                               ec.message(),
                               std::chrono::duration_cast<std::chrono::milliseconds>(pause).count());
}

}  // namespace

Poll<void> AcceptBackoff::poll_wait(Context& cx) {
    if (!sleep_) return ready();
    if (sleep_->poll(cx).is_pending()) return pending;
    sleep_.reset();
    return ready();
}

bool AcceptBackoff::on_error(const io::Error& ec) {
    if (!is_fd_shortage(ec)) return false;
    warn_rate_limited(ec, delay_);
    sleep_ = std::make_unique<time::Sleep>(time::sleep(delay_));
    delay_ = std::min(delay_ * 2, kMaxDelay);
    return true;
}

Poll<io::Result<int>> poll_accept(Socket& listener, AcceptBackoff& backoff, Context& cx,
                                  sockaddr_storage& addr, socklen_t& len) {
    using R = io::Result<int>;
    int fd = listener.fd();
    for (;;) {
        if (backoff.poll_wait(cx).is_pending()) return pending;
        auto p = listener.io().poll_io(cx, Direction::Read, [&] {
            len = sizeof addr;
            return sys::accept4(fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        });
        if (p.is_pending()) return pending;
        io::Result<std::size_t> r = p.take();
        if (r) {
            backoff.on_success();
            return ready(R(Ok(static_cast<int>(*r))));
        }
        if (r.error() == std::errc::connection_aborted) continue;
        if (backoff.on_error(r.error())) continue;  // the loop polls the new timer
        return ready(R(Err(r.error())));
    }
}

}  // namespace pollen::net::detail
