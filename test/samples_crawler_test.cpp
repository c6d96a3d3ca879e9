// The crawler sample against a real site: a small tree of pages is written
// to a temp folder and served by the http_server sample, the crawler runs
// on it as a command, and its stdout report (one `STATUS URL depth=D` line
// per page, then a summary) is checked for exactly the pages within the
// depth limit, each once. A listener that accepts and never answers shows
// the per-request timeout. Waits have generous limits that only turn a hang
// into a failure; nothing asserts how long anything took.
#include "support/sample_process.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace pollen::test_support;
namespace fs = std::filesystem;

void write_file(const fs::path& p, const std::string& content) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
}

/// The report's page lines: "200 http://... depth=1" → {url, "200 depth=1"};
/// progress lines on stderr ("crawler: ...") and the summary do not match.
/// A URL reported twice shows up in `duplicates`.
struct Report {
    std::map<std::string, std::string> pages;
    std::vector<std::string> duplicates;
    std::string summary;
};

Report parse_report(const std::string& output) {
    Report r;
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("pages=", 0) == 0) r.summary = line;
        std::istringstream words(line);
        std::string outcome, url, depth;
        if (!(words >> outcome >> url >> depth)) continue;
        if (url.rfind("http://", 0) != 0 || depth.rfind("depth=", 0) != 0) continue;
        if (outcome != "timeout" && outcome != "error" && (outcome.size() != 3 || !std::isdigit(outcome[0]))) continue;
        if (!r.pages.emplace(url, outcome + " " + depth).second) r.duplicates.push_back(url);
    }
    return r;
}

class CrawlerSample : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        char tmpl[] = "/tmp/pollen-crawler-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        root_ = new fs::path(tmpl);
        const fs::path& r = *root_;
        // depth 0: the start page; its links, several spellings of one page among them.
        write_file(r / "index.html",
                   "<html><body>\n"
                   "<a href=\"a.html\">a</a> <A HREF='b.html#part'>b</A> <a href=\"./a.html\">a again</a>\n"
                   "<a href=\"missing.html\">a dead link</a> <a href=\"chain/1.html\">the chain</a>\n"
                   "<a href=\"http://other.invalid/x.html\">another host</a> <a href=\"mailto:me@x\">mail</a>\n"
                   "<a href=\"https://127.0.0.1/secure\">https</a> <a data-href=\"nope.html\">not a link</a>\n"
                   "</body></html>\n");
        // depth 1: a and b link to each other and back to the start (cycles).
        write_file(r / "a.html", "<a href=\"b.html\">b</a> <a href=\"/\">home</a> <a href=\"/index.html\">index</a>");
        write_file(r / "b.html", "<a href=\"a.html\">a</a> <a href=\"sub/\">sub</a> <a href=\"sub/../a.html\">a</a>");
        // sub/ has no index.html: the server's listing links to c.txt and ../
        write_file(r / "sub/c.txt", "plain text, no links: href=\"never.html\"\n");
        // a chain deeper than the limit.
        write_file(r / "chain/1.html", "<a href=\"2.html\">2</a>");
        write_file(r / "chain/2.html", "<a href='3.html'>3</a>");
        write_file(r / "chain/3.html", "<a href=4.html>4</a>");
        write_file(r / "chain/4.html", "<a href=\"5.html\">5</a>");
        write_file(r / "chain/5.html", "end");
    }
    static void TearDownTestSuite() {
        std::error_code ec;
        fs::remove_all(*root_, ec);
        delete root_;
    }

    static fs::path* root_;
};

fs::path* CrawlerSample::root_ = nullptr;

}  // namespace

TEST_F(CrawlerSample, FindsExactlyThePagesWithinTheDepthLimitOnce) {
    ServerProcess server("http_server", {"--port", "0", "--root", root_->string()});
    ASSERT_TRUE(server.port());
    std::string base = "http://127.0.0.1:" + std::to_string(*server.port());

    const std::map<std::string, std::string> expected{
        {base + "/", "200 depth=0"},
        {base + "/a.html", "200 depth=1"},
        {base + "/b.html", "200 depth=1"},
        {base + "/missing.html", "404 depth=1"},
        {base + "/chain/1.html", "200 depth=1"},
        {base + "/sub/", "200 depth=2"},
        {base + "/index.html", "200 depth=2"},  // the same file as "/", but another URL
        {base + "/chain/2.html", "200 depth=2"},
        {base + "/sub/c.txt", "200 depth=3"},
        {base + "/chain/3.html", "200 depth=3"},
    };
    // Depths are shortest link distances, so the answer does not depend on
    // how many requests run at once.
    for (const char* concurrency : {"1", "3", "16"}) {
        CommandRun run = run_command(sample_path("crawler") + " " + base + "/ --depth 3 --concurrency " + concurrency);
        ASSERT_EQ(run.status, 0) << run.output;
        Report report = parse_report(run.output);
        EXPECT_EQ(report.pages, expected) << "concurrency " << concurrency << "\n" << run.output;
        EXPECT_TRUE(report.duplicates.empty()) << run.output;
        EXPECT_EQ(report.summary, "pages=10 fetched=10 http_errors=1 errors=0 timeouts=0") << run.output;
        // Beyond the limit: 4.html was linked from a depth-3 page, never fetched.
        EXPECT_EQ(run.output.find("chain/4.html"), std::string::npos) << run.output;
        EXPECT_EQ(run.output.find("other.invalid"), std::string::npos) << run.output;
    }
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST_F(CrawlerSample, DepthZeroFetchesOnlyTheStartPage) {
    ServerProcess server("http_server", {"--port", "0", "--root", root_->string()});
    ASSERT_TRUE(server.port());
    std::string start = "http://127.0.0.1:" + std::to_string(*server.port()) + "/chain/1.html";
    CommandRun run = run_command(sample_path("crawler") + " " + start + " --depth 0");
    ASSERT_EQ(run.status, 0) << run.output;
    Report report = parse_report(run.output);
    EXPECT_EQ(report.pages, (std::map<std::string, std::string>{{start, "200 depth=0"}})) << run.output;
    EXPECT_EQ(report.summary, "pages=1 fetched=1 http_errors=0 errors=0 timeouts=0") << run.output;
    EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST_F(CrawlerSample, ReportsTimeoutsAndStillExitsZero) {
    // A listener that never answers: the kernel completes the handshake from
    // the backlog, nobody ever reads or writes.
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(fd, 8), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    std::string start = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/";

    CommandRun run = run_command(sample_path("crawler") + " " + start + " --timeout-ms 200");
    ::close(fd);
    EXPECT_EQ(run.status, 0) << run.output;
    Report report = parse_report(run.output);
    EXPECT_EQ(report.pages, (std::map<std::string, std::string>{{start, "timeout depth=0"}})) << run.output;
    EXPECT_EQ(report.summary, "pages=1 fetched=0 http_errors=0 errors=0 timeouts=1") << run.output;
}

TEST_F(CrawlerSample, ReportsARefusedConnectionAsAnError) {
    // Bound but not listening: connecting is refused.
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    std::string start = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/";
    CommandRun run = run_command(sample_path("crawler") + " " + start);
    ::close(fd);
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_EQ(parse_report(run.output).pages.at(start), "error depth=0") << run.output;
    EXPECT_PRINTS(run, "errors=1 timeouts=0");
}

TEST_F(CrawlerSample, RejectsABadCommandLine) {
    EXPECT_EQ(run_sample("crawler", "https://example.com/").status, 2);
    EXPECT_EQ(run_sample("crawler", "").status, 2);
    EXPECT_EQ(run_sample("crawler", "http://127.0.0.1:1/ --depth x").status, 2);
}
