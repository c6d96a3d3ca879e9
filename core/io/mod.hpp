#pragma once
/// Async I/O (tokio::io): the AsyncRead / AsyncWrite / AsyncBufRead traits,
/// their buffered wrappers, and the futures of their Ext methods. Kept by
/// hand; `make headers` checks that every header of core/io/ is listed here.

// The error type and the traits.
#include "error.hpp"
#include "async_read.hpp"
#include "async_write.hpp"
#include "async_buf_read.hpp"

// Reading (AsyncReadExt / AsyncBufReadExt).
#include "read.hpp"
#include "read_exact.hpp"
#include "read_to_end.hpp"
#include "read_to_string.hpp"
#include "read_until.hpp"
#include "read_line.hpp"
#include "lines.hpp"
#include "take.hpp"

// Writing (AsyncWriteExt).
#include "write.hpp"
#include "write_all.hpp"
#include "write_all_buf.hpp"
#include "flush.hpp"
#include "shutdown.hpp"

// Wrappers and plumbing.
#include "buf_reader.hpp"
#include "buf_writer.hpp"
#include "split.hpp"
#include "duplex.hpp"
#include "copy.hpp"
#include "copy_bidirectional.hpp"
