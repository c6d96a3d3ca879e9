// crawler: a concurrent web crawler over plain HTTP/1.1, Tokio-style.
//
//     crawler http://HOST:PORT/PATH [--depth D] [--concurrency C] [--timeout-ms T] [--threads N]
//
// Fetches the start page, follows its href links on the same host and
// port, then theirs, up to D links away (default 2), with at most C requests
// in flight (default 8) and each request limited to T ms (default 5000).
// Every URL is fetched once. Progress goes to stderr (one updating line on a
// terminal); at the end stdout gets one line per URL, in the order
// (depth, URL), e.g.
//
//     200 http://127.0.0.1:8080/a.html depth=1
//     404 http://127.0.0.1:8080/missing.html depth=1
//     timeout http://127.0.0.1:8080/slow depth=2
//     error http://127.0.0.1:8080/x depth=2 (read: Connection reset by peer)
//
// and a summary line `pages=N fetched=F http_errors=H errors=E timeouts=T`
// (fetched: pages that answered, with any status; http_errors: answers of
// 400 or more; errors: no answer). Failed pages are part of a crawl's result,
// not a failure of the crawler: it exits 0, or 2 for a bad command line.
//
// The pieces: url (parse, resolve, normalise), links (href scanning),
// response_parser and http_get (the client), crawl (the breadth-first
// driver), progress (the stderr display).
#include <pollen.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crawl.hpp"

namespace {

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "crawler: %s\nusage: crawler http://HOST:PORT/PATH [--depth D] [--concurrency C] "
                 "[--timeout-ms T] [--threads N]\n",
                 why);
    std::exit(2);
}

std::size_t number(std::string_view s, std::size_t min, std::size_t max) {
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p != s.data() + s.size() || n < min || n > max) usage("bad number");
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    crawler::CrawlOptions opts;
    std::size_t threads = 2;
    bool have_url = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") usage("help");
        if (arg.substr(0, 2) != "--") {
            auto url = crawler::parse_url(arg);
            if (!url) usage("the start URL must be http://host[:port]/path");
            if (have_url) usage("one start URL only");
            opts.start = *url;
            have_url = true;
            continue;
        }
        if (i + 1 >= argc) usage("missing value after a flag");
        std::string_view value = argv[++i];
        if (arg == "--depth") opts.max_depth = number(value, 0, 1000);
        else if (arg == "--concurrency") opts.concurrency = number(value, 1, 10000);
        else if (arg == "--timeout-ms") opts.timeout = std::chrono::milliseconds(number(value, 1, 3'600'000));
        else if (arg == "--threads") threads = number(value, 1, 1024);
        else usage("unknown flag");
    }
    if (!have_url) usage("no start URL");

    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(threads).enable_all().build();
    std::string start = opts.start.to_string();
    std::size_t max_depth = opts.max_depth, concurrency = opts.concurrency;
    std::vector<crawler::Visit> visits = rt.block_on(crawler::Crawl(std::move(opts)));

    std::sort(visits.begin(), visits.end(), [](const crawler::Visit& a, const crawler::Visit& b) {
        return a.depth != b.depth ? a.depth < b.depth : a.url < b.url;
    });
    std::size_t fetched = 0, http_errors = 0, errors = 0, timeouts = 0;
    std::printf("crawled %s max_depth=%zu concurrency=%zu\n", start.c_str(), max_depth, concurrency);
    for (const auto& v : visits) {
        switch (v.kind) {
            case crawler::Visit::Kind::Response:
                ++fetched;
                if (v.status >= 400) ++http_errors;
                std::printf("%d %s depth=%zu\n", v.status, v.url.c_str(), v.depth);
                break;
            case crawler::Visit::Kind::Error:
                ++errors;
                std::printf("error %s depth=%zu (%s)\n", v.url.c_str(), v.depth, v.error.c_str());
                break;
            case crawler::Visit::Kind::Timeout:
                ++timeouts;
                std::printf("timeout %s depth=%zu\n", v.url.c_str(), v.depth);
                break;
        }
    }
    std::printf("pages=%zu fetched=%zu http_errors=%zu errors=%zu timeouts=%zu\n", visits.size(), fetched,
                http_errors, errors, timeouts);
    return 0;
}
