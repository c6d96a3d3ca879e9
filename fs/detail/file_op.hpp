#pragma once
// The one blocking operation a File may have in flight: what goes to the
// blocking pool (OpRequest, carried by OpTask) and what comes back
// (OpResult). The buffer travels both ways, so the File never shares it with
// a pool thread.

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "../../core/detail/owned_fd.hpp"
#include "../seek_from.hpp"
#include "file_buf.hpp"

namespace pollen::fs::detail {

enum class OpKind { read, write, seek, set_len, sync_all, sync_data, metadata };

struct OpRequest {
    OpKind kind = OpKind::read;
    std::shared_ptr<pollen::detail::OwnedFd> fd;
    FileBuf buf;
    // Read-ahead the caller never consumed: the fd's offset is ahead of the
    // caller's position by -rewind bytes, so write and set_len seek back first.
    std::int64_t rewind = 0;
    SeekFrom seek;           // OpKind::seek
    std::uint64_t len = 0;   // OpKind::set_len
};

struct OpResult {
    OpKind kind = OpKind::read;
    std::error_code error;
    std::uint64_t value = 0;  // bytes read, or the new offset of a seek
    struct stat st {};        // OpKind::metadata
    FileBuf buf;
};

/// Runs the request on the calling (blocking) thread.
OpResult run_op(OpRequest& req);

/// The closure handed to spawn_blocking. A write whose task is cancelled
/// before any thread ran it (runtime shutdown) runs in the destructor
/// instead: Tokio's spawn_mandatory_blocking, so bytes that poll_write
/// already reported as accepted are not silently lost.
class OpTask {
public:
    explicit OpTask(OpRequest req) : req_(std::move(req)) {}
    OpTask(OpTask&& other) noexcept : req_(std::move(other.req_)) { other.req_.reset(); }
    OpTask& operator=(OpTask&&) = delete;
    ~OpTask() {
        if (req_ && req_->kind == OpKind::write) (void)run_op(*req_);
    }

    OpResult operator()() {
        OpRequest req = std::move(*req_);
        req_.reset();
        return run_op(req);
    }

private:
    std::optional<OpRequest> req_;
};

}  // namespace pollen::fs::detail
