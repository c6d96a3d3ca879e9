#pragma once
/// FsFuture<T>: the future every path-based operation of pollen::fs returns
/// (`fs::read`, `fs::rename`, `File::open`...), Tokio's `asyncify`: a future
/// of `fs::Result<T>` whose blocking work runs on the runtime's blocking pool.
///
/// Nothing happens until the first poll, which hands the work to
/// `spawn_blocking`; the future is then woken from the blocking pool's thread
/// when the work is done. It must be polled inside a runtime (spawn_blocking
/// throws std::logic_error otherwise). Destroying it before the first poll
/// does nothing; destroying it later detaches the work, which finishes on the
/// blocking pool and whose result is dropped (Tokio does the same: a started
/// `std::fs` call cannot be interrupted). If the runtime shuts down before a
/// pool thread picks the work up, the output is an `operation_canceled`
/// error. May be moved freely, also after polling.

#include <cassert>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

#include "../core/future_ext.hpp"
#include "../runtime/join_handle.hpp"
#include "../runtime/spawn_blocking.hpp"
#include "error.hpp"

namespace pollen::fs {

namespace detail {
/// The work, type-erased so the future's type does not depend on the closure.
template <class T>
struct Job {
    virtual ~Job() = default;
    virtual Result<T> run() = 0;
};
template <class T, class Fn>
struct JobImpl final : Job<T> {
    explicit JobImpl(Fn f) : fn(std::move(f)) {}
    Result<T> run() override { return fn(); }
    Fn fn;
};
}  // namespace detail

template <class T>
class FsFuture : public FutureExt<FsFuture<T>> {
public:
    using Output = Result<T>;

    /// `fn()` runs on the blocking pool and returns the Output; `op` and
    /// `path` label the error if the work never runs.
    template <class Fn>
    FsFuture(const char* op, std::filesystem::path path, Fn fn)
        : job_(std::make_unique<detail::JobImpl<T, Fn>>(std::move(fn))), op_(op), path_(std::move(path)) {}

    Poll<Output> poll(Context& cx) {
        if (!handle_) {
            assert(job_ && "pollen: fs future polled again after Ready");
            handle_.emplace(spawn_blocking([job = std::move(job_)] { return job->run(); }));
        }
        auto p = handle_->poll(cx);
        if (p.is_pending()) return pending;
        auto joined = p.take();
        handle_.reset();
        if (joined.is_err()) {
            // Shutdown cancelled the work, or it threw (out of memory): Tokio
            // reports both as an I/O error too, not as a panic of the caller.
            std::error_code code = io::error(joined.error().is_cancelled() ? std::errc::operation_canceled
                                                                           : std::errc::io_error);
            return ready(Output(Err(Error(code, op_, std::move(path_)))));
        }
        return ready(std::move(joined).value());
    }

private:
    std::unique_ptr<detail::Job<T>> job_;
    std::optional<JoinHandle<Output>> handle_;
    const char* op_;
    std::filesystem::path path_;
};

}  // namespace pollen::fs
