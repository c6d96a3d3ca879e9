// detail/reap.hpp's implementation; here because the Makefile compiles .cpp files two folders deep.
#include "detail/reap.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <vector>

namespace pollen::process::detail {

namespace {

struct Orphans {
    std::mutex mu;
    std::vector<pid_t> pids;
    std::atomic<std::size_t> count{0};
};

// Leaked on purpose: a Child may be destroyed during static destruction.
Orphans& orphans() {
    static Orphans* o = new Orphans;
    return *o;
}

}  // namespace

io::Result<std::optional<int>> try_reap(pid_t pid) {
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return Ok(std::optional<int>(status));
        if (r == 0) return Ok(std::optional<int>());
        if (errno == EINTR) continue;
        return Err(io::Error(errno, std::generic_category()));
    }
}

void push_orphan(pid_t pid) {
    auto r = try_reap(pid);
    if (!r || r->has_value()) return;  // reaped now, or not ours to reap any more
    Orphans& o = orphans();
    std::lock_guard lock(o.mu);
    o.pids.push_back(pid);
    o.count.store(o.pids.size(), std::memory_order_release);
}

void reap_orphans() {
    Orphans& o = orphans();
    if (o.count.load(std::memory_order_acquire) == 0) return;
    std::lock_guard lock(o.mu);
    std::erase_if(o.pids, [](pid_t pid) {
        auto r = try_reap(pid);
        return !r || r->has_value();
    });
    o.count.store(o.pids.size(), std::memory_order_release);
}

std::size_t orphan_count() { return orphans().count.load(std::memory_order_acquire); }

}  // namespace pollen::process::detail
