// file_stats: a word/line counter over a directory tree, as a synchronous
// loop and as an async pipeline with bounded concurrency.
//
//     file_stats DIR [--concurrency C] [--threads N] [--top N] [--sync | --compare]
//
// Prints a progress line on stderr while it works, then on stdout the totals
// (files, directories, lines, words, bytes, skipped entries, errors) and the
// N largest files by lines. Files and directories that cannot be read are
// listed on stderr with their path; the count goes on. Exit status: 0, or 1
// when some path could not be read, 2 for a bad command line, 3 when
// --compare finds the two versions disagree.
//
// Read sync_stats.cpp (before) next to async_stats.cpp (after): the same
// walk and the same counting, first as blocking calls one after another,
// then as a stream of futures run C at a time (walk_dir.hpp is the walk,
// count_entry.hpp the per-file state machine).

#include <pollen.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "async_stats.hpp"
#include "options.hpp"
#include "sync_stats.hpp"

using namespace file_stats;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Timed {
    Report report;
    double secs;
};

Timed run_sync(const Options& opts) {
    auto start = std::chrono::steady_clock::now();
    Progress progress;
    ProgressPrinter printer("file_stats (sync)");
    Report report = count_tree_sync(opts, progress, printer);
    printer.finish(progress);
    return {std::move(report), seconds_since(start)};
}

Timed run_async(const Options& opts, std::size_t threads) {
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(threads).enable_all().build();
    auto start = std::chrono::steady_clock::now();
    auto progress = std::make_shared<Progress>();
    ProgressPrinter printer("file_stats (async)");
    Report report = count_tree_async(rt, opts, progress, printer);
    printer.finish(*progress);
    return {std::move(report), seconds_since(start)};
}

}  // namespace

int main(int argc, char** argv) {
    std::optional<Options> parsed = parse_options(argc, argv);
    if (!parsed) return 2;
    const Options& opts = *parsed;
    std::size_t threads = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());

    if (opts.sync_only) {
        Timed s = run_sync(opts);
        s.report.print_errors(stderr);
        std::printf("file_stats %s (sync)\n", opts.root.c_str());
        s.report.print(stdout);
        std::printf("sync: %.3f s\n", s.secs);
        return s.report.errors().empty() ? 0 : 1;
    }

    // The async run goes first: it also warms the page cache for the sync
    // run after it, so if anything the comparison flatters the sync version.
    Timed a = run_async(opts, threads);
    a.report.print_errors(stderr);
    std::printf("file_stats %s (async: concurrency %zu, %zu worker thread%s)\n", opts.root.c_str(), opts.concurrency,
                threads, threads == 1 ? "" : "s");
    a.report.print(stdout);
    std::printf("async: %.3f s\n", a.secs);
    if (!opts.compare) return a.report.errors().empty() ? 0 : 1;

    Timed s = run_sync(opts);
    std::printf("sync:  %.3f s (run second, on a warm page cache)\n", s.secs);
    if (!s.report.agrees_with(a.report)) {
        std::printf("sync and async counts DISAGREE: sync %s\n", s.report.totals_line().c_str());
        return 3;
    }
    std::printf("sync and async counts agree; async took %.2fx the time of sync\n", a.secs / s.secs);
    return a.report.errors().empty() ? 0 : 1;
}
