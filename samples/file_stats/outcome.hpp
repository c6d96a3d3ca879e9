#pragma once
// file_stats: Outcome, what one entry of the walk contributes to the report.
//
// The synchronous walk and the async pipeline both reduce every entry they
// meet to one of these, and both feed them to the same Report: that is what
// makes their totals comparable with --compare.

#include <filesystem>
#include <string>
#include <utility>

#include "counts.hpp"

namespace file_stats {

struct Outcome {
    enum class Kind {
        Dir,      // a directory, descended into (symlinked ones are not followed)
        File,     // a regular file (or a symlink to one), counted
        Skipped,  // neither: a FIFO, a socket, a device, a symlink to a directory
        Error,    // could not be read; `error` says what and names the path
    };
    Kind kind = Kind::Skipped;
    std::filesystem::path path;
    Counts counts;
    std::string error;

    static Outcome dir(std::filesystem::path p) { return {Kind::Dir, std::move(p), {}, {}}; }
    static Outcome file(std::filesystem::path p, Counts c) { return {Kind::File, std::move(p), c, {}}; }
    static Outcome skipped(std::filesystem::path p) { return {Kind::Skipped, std::move(p), {}, {}}; }
    static Outcome failed(std::filesystem::path p, std::string message) {
        return {Kind::Error, std::move(p), {}, std::move(message)};
    }
};

}  // namespace file_stats
