#pragma once
// file_stats: the command line, parsed.
//
//     file_stats DIR [--concurrency C] [--threads N] [--top N] [--sync | --compare]

#include <cstddef>
#include <filesystem>
#include <optional>

namespace file_stats {

struct Options {
    std::filesystem::path root;
    std::size_t concurrency = 16;  // files being read at once (async)
    std::size_t threads = 0;       // runtime worker threads; 0: one per core
    std::size_t top = 10;          // largest files listed
    bool sync_only = false;        // --sync: only the synchronous version
    bool compare = false;          // --compare: both, with both timings
};

/// The options, or nullopt after printing the usage on stderr.
std::optional<Options> parse_options(int argc, char** argv);

}  // namespace file_stats
