// rate_limited_client: N HTTP requests to a local server (samples/http_hello),
// at most C at once and at most R started per second, with a latency report.
//
//     rate_limited_client --port P [--requests N] [--concurrency C] [--rate R] [--threads T]
//
// Two limits, two Tokio tools:
//   - rate: a time::Interval ticks every 1/R seconds; a request starts only
//     on a tick (`interval.tick().await` before each spawn).
//   - concurrency: a Semaphore of C permits; each request holds one
//     (`sem.clone().acquire_owned().await`) until it is done, so at most C
//     are in flight whatever the rate allows.
// The loop "for each tick: take a permit, spawn the request" is a stream
// pipeline: interval_stream().take(N).then(acquire).map(spawn).collect().
// Each request is an async body (pollen::Async): connect, write, read to the end.
#include <pollen.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

using namespace std::chrono_literals;
using pollen::Context;
using pollen::Poll;
using pollen::time::Duration;
using pollen::time::Instant;

namespace {

struct Args {
    std::uint16_t port = 0;
    std::uint64_t requests = 20, concurrency = 4, rate = 100, threads = 2;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "rate_limited_client: %s\nusage: rate_limited_client --port P [--requests N] "
                 "[--concurrency C] [--rate R] [--threads T]\n",
                 why);
    std::exit(2);
}

bool parse_uint(std::string_view s, std::uint64_t max, std::uint64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out <= max;
}

Args parse_args(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (i + 1 >= argc) usage("missing value after a flag");
        std::string_view value = argv[++i];
        std::uint64_t n = 0;
        if (flag == "--port" && parse_uint(value, 65535, n) && n > 0) a.port = static_cast<std::uint16_t>(n);
        else if (flag == "--requests" && parse_uint(value, 1'000'000, n)) a.requests = n;
        else if (flag == "--concurrency" && parse_uint(value, 10'000, n) && n > 0) a.concurrency = n;
        else if (flag == "--rate" && parse_uint(value, 1'000'000, n) && n > 0) a.rate = n;
        else if (flag == "--threads" && parse_uint(value, 1024, n) && n > 0) a.threads = n;
        else usage("bad flag or value");
    }
    if (a.port == 0) usage("--port is required");
    return a;
}

/// A step's error as the report prints it: "connect: Connection refused".
auto labelled(const char* step) {
    return [step](std::error_code e) { return step + (": " + e.message()); };
}

constexpr std::string_view kRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

/// One `GET /` with `Connection: close`:
///
///     async fn get(addr) -> Result<Duration, String> {
///         let start = Instant::now();
///         let mut s = TcpStream::connect(addr).await?;
///         s.write_all(REQUEST).await?;
///         let mut resp = String::new(); s.read_to_string(&mut resp).await?;
///         if !resp.starts_with("HTTP/1.1 200") { return Err(..) }
///         Ok(start.elapsed())
///     }
///
/// Holds the semaphore permit; destroying it (finished or not) gives it back.
class HttpGet : public pollen::Async<HttpGet, pollen::Result<Duration, std::string>> {
public:
    HttpGet(pollen::net::SocketAddr addr, pollen::OwnedSemaphorePermit permit)
        : addr_(addr), permit_(std::move(permit)) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        start_ = Instant::now();
        POLLEN_LET_TRY(stream_, pollen::net::TcpStream::connect(addr_).map_err(labelled("connect")));
        POLLEN_AWAIT_TRY(pollen::io::write_all(*stream_, kRequest).map_err(labelled("write")));
        POLLEN_AWAIT_TRY(pollen::io::read_to_string(*stream_, response_).map_err(labelled("read")));
        if (response_.rfind("HTTP/1.1 200", 0) != 0)
            POLLEN_RETURN(pollen::Err("unexpected response: " + response_.substr(0, 40)));
        POLLEN_RETURN(pollen::Ok(start_->elapsed()));
        POLLEN_END;
    }

private:
    pollen::net::SocketAddr addr_;
    pollen::OwnedSemaphorePermit permit_;  // released when the request is dropped
    std::optional<Instant> start_;
    std::optional<pollen::net::TcpStream> stream_;
    std::string response_;
    POLLEN_FRAME;
};

double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
    Args args = parse_args(argc, argv);
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    auto addr = pollen::net::SocketAddr::parse("127.0.0.1:" + std::to_string(args.port)).value();
    auto sem = std::make_shared<pollen::Semaphore>(args.concurrency);

    std::printf("sending %llu requests to 127.0.0.1:%u, concurrency %llu, rate %llu/s\n",
                static_cast<unsigned long long>(args.requests), unsigned(args.port),
                static_cast<unsigned long long>(args.concurrency), static_cast<unsigned long long>(args.rate));

    auto results = rt.block_on(pollen::future::lazy([] { return Instant::now(); }).then([&](Instant start) {
        // The pacing interval. Delay, not the default Burst: when the
        // semaphore held us back, missed ticks are not fired all at once,
        // which would exceed the rate.
        auto ticks = pollen::time::interval(std::chrono::duration_cast<Duration>(1s) / args.rate);
        ticks.set_missed_tick_behavior(pollen::time::MissedTickBehavior::Delay);
        return pollen::time::IntervalStream(std::move(ticks))
            .take(args.requests)
            // Wait for a free slot before starting: the semaphore bounds the
            // requests in flight. A permit outlives this step: it moves into the request.
            .then([sem](Instant) { return pollen::acquire_owned(sem).boxed(); })
            // tokio::spawn: the request runs on its own task, on any worker.
            .map([addr](pollen::Result<pollen::OwnedSemaphorePermit, pollen::AcquireError> permit) {
                return pollen::spawn(HttpGet(addr, std::move(permit).value()));
            })
            .collect()
            // All started; wait for all (futures::future::join_all).
            .then([](std::vector<pollen::JoinHandle<HttpGet::Output>> handles) {
                return pollen::join_all(std::move(handles));
            })
            .map([start](auto outputs) { return std::make_pair(std::move(outputs), start.elapsed()); });
    }));

    std::vector<double> latencies;
    std::size_t failed = 0;
    for (auto& joined : results.first) {
        if (joined.is_err()) {
            ++failed;
            continue;
        }
        auto& r = joined.value();
        if (r.is_ok()) {
            latencies.push_back(ms(r.value()));
        } else {
            ++failed;
            std::fprintf(stderr, "request failed: %s\n", r.error().c_str());
        }
    }
    std::sort(latencies.begin(), latencies.end());
    std::printf("requests=%zu ok=%zu failed=%zu\n", results.first.size(), latencies.size(), failed);
    if (!latencies.empty())
        std::printf("latency min=%.2fms p50=%.2fms max=%.2fms\n", latencies.front(),
                    latencies[latencies.size() / 2], latencies.back());
    double total = ms(results.second);
    std::printf("total=%.1fms (the rate alone needs at least %.1fms), %.1f requests/s\n", total,
                args.requests > 0 ? 1000.0 * double(args.requests - 1) / double(args.rate) : 0.0,
                total > 0 ? 1000.0 * double(results.first.size()) / total : 0.0);
    return failed == 0 ? 0 : 1;
}
