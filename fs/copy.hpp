#pragma once
/// fs::copy(from, to): copies a file's contents and permission bits,
/// Tokio's `fs::copy`; Ready with the number of bytes copied. `to` is created
/// or truncated. The copy runs on the blocking pool with copy_file_range(2)
/// (in-kernel, no round trip through user memory), falling back to
/// read/write where the filesystems do not support it. A future of
/// fs::Result<std::uint64_t> whose error names both paths; waking and
/// cancellation as fs_future.hpp says (once started, the copy completes).

#include <cstdint>
#include <filesystem>

#include "fs_future.hpp"

namespace pollen::fs {

FsFuture<std::uint64_t> copy(std::filesystem::path from, std::filesystem::path to);

}  // namespace pollen::fs
