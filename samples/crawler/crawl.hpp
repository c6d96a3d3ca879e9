#pragma once
/// Crawl: the crawler's driver, a future that visits a site breadth-first:
///
///     async fn crawl(opts) -> Vec<Visit> {
///         let mut level = fetch_all(vec![opts.start]);
///         loop {
///             while let Some(fetched) = level.next().await { record(fetched) }  // queues new links
///             if next_level.is_empty() { break }
///             depth += 1;
///             level = fetch_all(take(&mut next_level));
///         }
///         visits
///     }
///
/// One depth at a time: every URL of the current level is fetched, at most
/// `concurrency` at once (fetch_all is `stream::iter(level).map(fetch)
/// .buffer_unordered(C)`, futures-rs's way of bounding concurrency), each
/// under its own `time::timeout`. The links found make the next level, after
/// dropping other hosts and every URL already seen (normalised, so one page
/// is fetched once however it is spelled). Going level by level makes each
/// page's depth its shortest link distance from the start, whatever order
/// the answers come back in, so the result does not depend on timing.
///
/// Ready with every visit once a level finds nothing new or the depth limit
/// is reached. Destroying it mid-way drops the requests in flight (their
/// connections close). Polled by one thread at a time, as any future.
#include <pollen.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "http_get.hpp"
#include "progress.hpp"
#include "url.hpp"

namespace crawler {

struct CrawlOptions {
    Url start;
    std::size_t max_depth = 2;    ///< links are followed this many times from the start page
    std::size_t concurrency = 8;  ///< requests in flight at most
    pollen::time::Duration timeout = std::chrono::seconds(5);  ///< per request: lookup, connect and read
};

struct Visit {
    enum class Kind { Response, Error, Timeout };
    std::string url;
    std::size_t depth = 0;
    Kind kind = Kind::Response;
    int status = 0;     ///< for a Response
    std::string error;  ///< for an Error
};

class Crawl : public pollen::Async<Crawl, std::vector<Visit>> {
public:
    explicit Crawl(CrawlOptions options);

    pollen::Poll<Output> poll(pollen::Context& cx);

private:
    /// What one fetch gives back: the page, an error, or Elapsed.
    struct Fetched {
        Url url;
        pollen::Result<HttpGet::Output, pollen::time::Elapsed> result;
    };

    void start_level(std::vector<Url> urls);
    void record(Fetched fetched);
    void follow(const Url& from, std::string_view href);

    CrawlOptions opts_;
    std::size_t depth_ = 0;
    std::size_t in_level_ = 0;  ///< URLs of the current level not yet answered
    std::unordered_set<std::string> seen_;
    std::vector<Url> next_level_;
    std::optional<pollen::stream::BoxStream<Fetched>> level_;
    std::optional<Fetched> fetched_;
    std::vector<Visit> visits_;
    std::size_t errors_ = 0, timeouts_ = 0;
    Progress progress_;
    POLLEN_FRAME;
};

}  // namespace crawler
