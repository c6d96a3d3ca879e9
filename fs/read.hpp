#pragma once
/// fs::read(path) and fs::read_to_string(path): a whole file's contents,
/// Tokio's `fs::read` / `fs::read_to_string`. Futures of fs::Result (the
/// error names the path, error.hpp) whose open/fstat/read calls run on the
/// blocking pool in one go (fs_future.hpp: woken from the pool thread;
/// destroying one mid-way lets the read finish there and drops its bytes).
/// read_to_string returns the bytes as they are: no UTF-8 check (C++ strings
/// are bytes; Rust would fail with InvalidData on bad UTF-8).

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "fs_future.hpp"

namespace pollen::fs {

FsFuture<std::vector<std::byte>> read(std::filesystem::path path);
FsFuture<std::string> read_to_string(std::filesystem::path path);

}  // namespace pollen::fs
