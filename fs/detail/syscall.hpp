#pragma once
// fs::detail::sys: the seam through which fs writes file data (write(2)), so
// that tests can make a disk fill up (ENOSPC), interrupt writes (EINTR) or
// shorten them, and check that the error reaches the caller. It mirrors
// reactor/detail/syscall.hpp (which fs does not include: fs stands on the
// runtime and core only). Off, it costs one relaxed load per write.
//
// Install an injector only while no fs operation is running, and keep it
// alive until uninstalled (test/support/fault_plan.hpp does both).

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace pollen::fs::detail::sys {

/// Fail with `error` (an errno value) if non-zero, else write at most `max_len` bytes.
struct WriteFault {
    int error = 0;
    std::size_t max_len = SIZE_MAX;
};

class WriteFaultInjector {
public:
    virtual ~WriteFaultInjector() = default;
    /// Before a write of `len` bytes to `fd`; called from blocking-pool threads, concurrently.
    virtual WriteFault before_write(int fd, std::size_t len) noexcept = 0;
};

namespace hook {
inline std::atomic<WriteFaultInjector*> injector{nullptr};
}  // namespace hook

/// Installs `inj` (nullptr uninstalls); returns the previous one.
inline WriteFaultInjector* set_write_fault_injector(WriteFaultInjector* inj) {
    return hook::injector.exchange(inj, std::memory_order_acq_rel);
}

inline ssize_t write(int fd, const void* buf, std::size_t len) {
    WriteFaultInjector* inj = hook::injector.load(std::memory_order_relaxed);
    if (inj == nullptr) [[likely]]
        return ::write(fd, buf, len);
    WriteFault f = inj->before_write(fd, len);
    if (f.error != 0) {
        errno = f.error;
        return -1;
    }
    return ::write(fd, buf, std::min(len, f.max_len));
}

}  // namespace pollen::fs::detail::sys
