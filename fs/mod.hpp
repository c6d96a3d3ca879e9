#pragma once
/// The file system (tokio::fs): every call runs on the runtime's blocking
/// pool, as Tokio's do. Kept by hand; `make headers` checks that every public
/// header of fs/ is listed here.

#include "error.hpp"
#include "fs_future.hpp"
#include "metadata.hpp"

// Whole-file helpers.
#include "read.hpp"
#include "write.hpp"
#include "copy.hpp"
#include "path_ops.hpp"

// Directories.
#include "dir.hpp"
#include "read_dir.hpp"

// Files.
#include "open_options.hpp"
#include "file.hpp"
#include "seek_from.hpp"
