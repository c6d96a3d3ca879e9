// crawl: the breadth-first driver (see the header).
#include "crawl.hpp"

#include <utility>

#include "links.hpp"

using pollen::Context;
using pollen::Poll;

namespace crawler {

Crawl::Crawl(CrawlOptions options) : opts_(std::move(options)) {
    seen_.insert(opts_.start.to_string());
    start_level({opts_.start});
}

void Crawl::start_level(std::vector<Url> urls) {
    in_level_ = urls.size();
    auto timeout = opts_.timeout;
    level_.emplace(pollen::stream::iter(std::move(urls))
                       .map([timeout](Url url) {
                           // The Url is copied into the request and kept for the answer.
                           return pollen::time::timeout(timeout, HttpGet(url)).map([url](auto result) mutable {
                               return Fetched{std::move(url), std::move(result)};
                           });
                       })
                       .buffer_unordered(opts_.concurrency)
                       .boxed());
}

Poll<Crawl::Output> Crawl::poll(Context& cx) {
    POLLEN_BEGIN(cx);
    for (;;) {
        for (;;) {  // while let Some(fetched) = level.next().await
            POLLEN_LET(fetched_, level_->next());
            if (!fetched_) break;
            --in_level_;
            record(std::move(*fetched_));
        }
        if (next_level_.empty()) break;  // nothing new: done
        ++depth_;
        start_level(std::exchange(next_level_, {}));
    }
    level_.reset();
    progress_.finish();
    POLLEN_RETURN(std::move(visits_));
    POLLEN_END;
}

void Crawl::record(Fetched fetched) {
    Visit v;
    v.url = fetched.url.to_string();
    v.depth = depth_;
    std::string outcome;
    if (fetched.result.is_err()) {
        v.kind = Visit::Kind::Timeout;
        ++timeouts_;
        outcome = "timeout";
    } else if (fetched.result->is_err()) {
        v.kind = Visit::Kind::Error;
        v.error = fetched.result->error();
        ++errors_;
        outcome = "error";
    } else {
        const Page& page = fetched.result->value();
        v.status = page.status;
        outcome = std::to_string(page.status);
        if (depth_ < opts_.max_depth) {
            if (page.status >= 300 && page.status < 400 && !page.location.empty()) follow(fetched.url, page.location);
            for (const std::string& href : extract_links(page.body)) follow(fetched.url, href);
        }
    }
    progress_.page_done(outcome, v.url, depth_, visits_.size() + 1, in_level_ + next_level_.size(), errors_,
                        timeouts_);
    visits_.push_back(std::move(v));
}

void Crawl::follow(const Url& from, std::string_view href) {
    auto url = resolve(from, href);
    if (!url || !url->same_origin(opts_.start)) return;  // elsewhere, or not http
    if (!seen_.insert(url->to_string()).second) return;  // already fetched or queued
    next_level_.push_back(std::move(*url));
}

}  // namespace crawler
