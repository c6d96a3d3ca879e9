// file_stats: the async version, the synchronous loop turned into a stream
// pipeline with bounded concurrency. In Rust (futures' StreamExt):
//
//     let report = WalkDir::new(root)                         // Stream of entries
//         .map(|entry| tokio::spawn(count_entry(entry)))      // each file a task
//         .buffer_unordered(concurrency)                      // at most C at once
//         .fold(Report::new(top), |mut r, outcome| async move { r.add(outcome?); r })
//         .await;
//
// Why spawn each entry instead of letting buffer_unordered run the futures
// in place: in place, all the counting would happen inside this one task,
// on one thread. As tasks, the counting runs on every worker thread, while
// the reads run on the blocking pool; buffer_unordered still holds at most C
// JoinHandles, so at most C files are open and C buffers allocated. The walk
// is pulled only as fast as slots free up: backpressure, not a list of every
// path in memory.
//
// The progress line is a second task that ticks on an interval and reads
// the atomic counters; when the pipeline is done it is aborted, which is how
// a Tokio program stops a background loop it no longer needs.

#include "async_stats.hpp"

#include "count_entry.hpp"
#include "walk_dir.hpp"

namespace file_stats {

Report count_tree_async(pollen::Runtime& rt, const Options& opts, std::shared_ptr<Progress> progress,
                        ProgressPrinter& printer) {
    auto ticker = rt.spawn(pollen::time::interval_stream(printer.period())
                               .skip(1)  // the first tick is immediate: nothing to show yet
                               .for_each([progress, &printer](pollen::time::Instant) { printer.print(*progress); }));

    auto pipeline =
        WalkDir(opts.root)
            .map([progress](WalkDir::Item entry) { return pollen::spawn(CountEntry(std::move(entry), progress)); })
            .buffer_unordered(opts.concurrency)
            .fold(Report(opts.top), [progress](Report report, pollen::Result<Outcome, pollen::JoinError> joined) {
                // CountEntry reports every failure as an Outcome; a JoinError
                // would mean the task itself died (an exception escaped).
                Outcome o = joined.is_ok() ? std::move(joined).value()
                                           : Outcome::failed({}, "task failed: " + joined.error().what());
                progress->record(o);
                report.add(std::move(o));
                return report;
            });
    Report report = rt.block_on(std::move(pipeline));

    ticker.abort();
    (void)rt.block_on(std::move(ticker));  // gone for sure: it no longer touches the printer
    return report;
}

}  // namespace file_stats
