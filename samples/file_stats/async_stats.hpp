#pragma once
// file_stats: the async version, the "after" of this sample.

#include <memory>

#include <pollen.hpp>

#include "options.hpp"
#include "progress.hpp"
#include "report.hpp"

namespace file_stats {

/// Walks the tree and counts up to `opts.concurrency` files at once on `rt`.
Report count_tree_async(pollen::Runtime& rt, const Options& opts, std::shared_ptr<Progress> progress,
                        ProgressPrinter& printer);

}  // namespace file_stats
