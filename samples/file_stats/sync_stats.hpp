#pragma once
// file_stats: the synchronous version, the "before" of this sample.

#include "options.hpp"
#include "progress.hpp"
#include "report.hpp"

namespace file_stats {

/// Walks and counts the tree on the calling thread, one file after another.
Report count_tree_sync(const Options& opts, Progress& progress, ProgressPrinter& printer);

}  // namespace file_stats
