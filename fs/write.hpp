#pragma once
/// fs::write(path, contents): creates or truncates the file and writes all of
/// `contents`, Tokio's `fs::write`. The bytes are copied into the future
/// (Tokio does the same, to hand them to the blocking pool), so the caller's
/// buffer need not outlive it. A future of fs::Result<void>; waking and
/// cancellation as fs_future.hpp says (once started, the write completes).

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "fs_future.hpp"

namespace pollen::fs {

FsFuture<void> write(std::filesystem::path path, std::vector<std::byte> contents);
FsFuture<void> write(std::filesystem::path path, std::span<const std::byte> contents);
FsFuture<void> write(std::filesystem::path path, std::string_view contents);
/// Without this, a string literal would be taken for a span of bytes or
/// convert ambiguously.
inline FsFuture<void> write(std::filesystem::path path, const char* contents) {
    return write(std::move(path), std::string_view(contents));
}

}  // namespace pollen::fs
