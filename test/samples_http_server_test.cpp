// The http_server sample, run as its users would: a static site is written
// to a fresh temp folder, the server ($POLLEN_BUILD/samples/http_server) is
// started on it with --port 0, and it is talked to with plain blocking
// sockets, curl and wrk. Checks what a client can see: statuses, headers,
// bodies byte for byte, answers in order, connections kept or closed, and
// exit 0 on SIGTERM. Waits have generous limits that only turn a hang into a
// failure; nothing asserts how long anything took.
#include "support/sample_process.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

namespace {

using namespace pollen::test_support;
namespace fs = std::filesystem;

/// One response read off a connection: the head, and a body of exactly
/// Content-Length bytes (none for HEAD).
struct HttpResponse {
    int status = 0;
    std::string head;
    std::string body;

    /// The value of header `name` (exact case, as the server writes it), or "".
    std::string header(const std::string& name) const {
        std::string key = "\r\n" + name + ": ";
        std::size_t at = head.find(key);
        if (at == std::string::npos) return "";
        std::size_t start = at + key.size();
        return head.substr(start, head.find("\r\n", start) - start);
    }
};

/// True once `c` can be read without waiting (bytes or the end of the
/// stream arrived); waits at most `ms`.
bool readable(Client& c, int ms) {
    pollfd p{c.fd(), POLLIN, 0};
    return ::poll(&p, 1, ms) == 1;
}

/// An IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
bool is_imf_fixdate(const std::string& d) {
    static const std::regex form(R"(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$)");
    return std::regex_match(d, form);
}

HttpResponse read_response(Client& c, bool head_request = false) {
    HttpResponse r;
    r.head = c.recv_until("\r\n\r\n");
    if (r.head.rfind("HTTP/1.1 ", 0) != 0 || r.head.size() < 12) return r;
    r.status = std::atoi(r.head.c_str() + 9);
    std::string len = r.header("Content-Length");
    std::size_t n = 0;
    std::from_chars(len.data(), len.data() + len.size(), n);
    if (!head_request) r.body = c.recv_n(n);
    return r;
}

std::string get(const std::string& target, const std::string& extra = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

void write_file(const fs::path& p, const std::string& content) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
}

class HttpServerSample : public ::testing::Test {
protected:
    // One site for the whole suite: the big file takes a moment to write.
    static void SetUpTestSuite() {
        char tmpl[] = "/tmp/pollen-http-server-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        base_ = new fs::path(tmpl);
        root_ = new fs::path(*base_ / "www");
        write_file(*base_ / "secret.txt", "TOP SECRET\n");  // outside the root: must never be served
        write_file(*root_ / "hello.txt", "Hello, pollen!\n");
        write_file(*root_ / "page.html", "<html><body>page</body></html>\n");
        write_file(*root_ / "data.json", "{\"a\": 1}\n");
        write_file(*root_ / "docs/index.html", "<h1>docs index</h1>\n");
        write_file(*root_ / "sub/a.txt", "a\n");
        write_file(*root_ / "sub/nested/b.txt", "b\n");
        write_file(*root_ / "sub/sp ace.txt", "space\n");
        fs::create_symlink(*base_ / "secret.txt", *root_ / "leak.txt");  // a symlink pointing out
        big_ = new std::string(6 * 1024 * 1024 + 12345, '\0');
        std::mt19937 rng(42);
        for (char& ch : *big_) ch = static_cast<char>(rng());
        write_file(*root_ / "big.bin", *big_);
    }
    static void TearDownTestSuite() {
        std::error_code ec;
        fs::remove_all(*base_, ec);
        delete base_;
        delete root_;
        delete big_;
    }

    void SetUp() override { start(); }

    /// (Re)starts the server with these flags beside --port and --root.
    void start(const std::vector<std::string>& flags = {}) {
        if (server_) {
            EXPECT_EQ(server_->stop(SIGTERM), 0);
        }
        std::vector<std::string> args{"--port", "0", "--root", root_->string()};
        args.insert(args.end(), flags.begin(), flags.end());
        server_ = std::make_unique<ServerProcess>("http_server", args);
        ASSERT_TRUE(server_->port()) << "no 'listening port=P' line";
        port_ = *server_->port();
    }

    /// The server's open descriptors (its listener, its runtime's, and one
    /// per connection and open file).
    std::size_t server_fds() const {
        std::error_code ec;
        std::size_t n = 0;
        for (auto it = fs::directory_iterator("/proc/" + std::to_string(server_->pid()) + "/fd", ec);
             !ec && it != fs::directory_iterator(); it.increment(ec))
            ++n;
        return n;
    }
    void TearDown() override {
        if (server_) {
            EXPECT_EQ(server_->stop(SIGTERM), 0);
        }
    }

    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

    static fs::path* base_;
    static fs::path* root_;
    static std::string* big_;
    std::unique_ptr<ServerProcess> server_;
    int port_ = 0;
};

fs::path* HttpServerSample::base_ = nullptr;
fs::path* HttpServerSample::root_ = nullptr;
std::string* HttpServerSample::big_ = nullptr;

}  // namespace

TEST_F(HttpServerSample, ServesFilesWithTheirLengthAndType) {
    Client c(port_);
    ASSERT_TRUE(c.send(get("/hello.txt")));
    HttpResponse r = read_response(c);
    EXPECT_EQ(r.status, 200) << r.head;
    EXPECT_EQ(r.body, "Hello, pollen!\n");
    EXPECT_EQ(r.header("Content-Length"), "15");
    EXPECT_EQ(r.header("Content-Type"), "text/plain; charset=utf-8");

    ASSERT_TRUE(c.send(get("/page.html")));
    r = read_response(c);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.body, "<html><body>page</body></html>\n");

    ASSERT_TRUE(c.send(get("/data.json")));
    r = read_response(c);
    EXPECT_EQ(r.header("Content-Type"), "application/json");

    ASSERT_TRUE(c.send(get("/sub/sp%20ace.txt?query=ignored")));  // percent-decoded, query dropped
    r = read_response(c);
    EXPECT_EQ(r.status, 200) << r.head;
    EXPECT_EQ(r.body, "space\n");
}

TEST_F(HttpServerSample, HeadSendsTheHeadersWithoutTheBody) {
    Client c(port_);
    // If HEAD sent a body, the GET's answer would not start where we read it.
    ASSERT_TRUE(c.send("HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n" + get("/hello.txt")));
    HttpResponse head = read_response(c, /*head_request=*/true);
    EXPECT_EQ(head.status, 200) << head.head;
    EXPECT_EQ(head.header("Content-Length"), std::to_string(big_->size()));
    EXPECT_EQ(head.header("Content-Type"), "application/octet-stream");
    HttpResponse next = read_response(c);
    EXPECT_EQ(next.status, 200) << next.head;
    EXPECT_EQ(next.body, "Hello, pollen!\n");
}

TEST_F(HttpServerSample, BigFileArrivesByteForByte) {
    Client c(port_);
    ASSERT_TRUE(c.send(get("/big.bin")));
    HttpResponse r = read_response(c);
    EXPECT_EQ(r.status, 200);
    ASSERT_EQ(r.body.size(), big_->size());
    EXPECT_TRUE(r.body == *big_) << "the body differs from the file";
    // And the connection is still good for another request.
    ASSERT_TRUE(c.send(get("/hello.txt")));
    EXPECT_EQ(read_response(c).body, "Hello, pollen!\n");
}

TEST_F(HttpServerSample, AnswersMissingFilesOtherMethodsAndGarbage) {
    {
        Client c(port_);
        ASSERT_TRUE(c.send(get("/no/such/file.txt")));
        HttpResponse r = read_response(c);
        EXPECT_EQ(r.status, 404) << r.head;
        EXPECT_EQ(r.header("Content-Length"), std::to_string(r.body.size()));
        // 405 says what is allowed, and the connection stays usable.
        ASSERT_TRUE(c.send("DELETE /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
        r = read_response(c);
        EXPECT_EQ(r.status, 405) << r.head;
        EXPECT_EQ(r.header("Allow"), "GET, HEAD");
        ASSERT_TRUE(c.send(get("/hello.txt")));
        EXPECT_EQ(read_response(c).status, 200);
    }
    for (std::string garbage : {"NONSENSE\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
                                "GET / HTTP/1.1\r\n\r\n" /* no Host */, "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                                "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n"}) {
        Client c(port_);
        ASSERT_TRUE(c.send(garbage));
        std::string reply = c.recv_to_end();  // ends: the server closes after a bad request
        EXPECT_EQ(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << garbage << "\n---\n" << reply;
        EXPECT_NE(reply.find("Connection: close\r\n"), std::string::npos) << reply;
    }
}

TEST_F(HttpServerSample, RefusesOversizedHeadsAndBodies) {
    {
        Client c(port_);
        ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n"));
        std::string reply = c.recv_to_end();
        EXPECT_EQ(reply.rfind("HTTP/1.1 431 ", 0), 0u) << reply.substr(0, 200);
    }
    {
        // A head that never ends is cut off at the limit, not waited for.
        Client c(port_);
        ASSERT_TRUE(c.send("GET /" + std::string(10000, 'a')));
        std::string reply = c.recv_to_end();
        EXPECT_EQ(reply.rfind("HTTP/1.1 431 ", 0), 0u) << reply.substr(0, 200);
    }
    {
        Client c(port_);
        ASSERT_TRUE(c.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"));
        std::string reply = c.recv_to_end();
        EXPECT_EQ(reply.rfind("HTTP/1.1 413 Content Too Large\r\n", 0), 0u) << reply;
    }
    {
        // A body under the limit is read and dropped; the next request follows it.
        Client c(port_);
        std::string body(100'000, 'b');
        ASSERT_TRUE(c.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + body +
                           get("/page.html")));
        HttpResponse first = read_response(c);
        EXPECT_EQ(first.status, 200);
        EXPECT_EQ(first.body, "Hello, pollen!\n");
        HttpResponse second = read_response(c);
        EXPECT_EQ(second.status, 200) << second.head;
        EXPECT_EQ(second.body, "<html><body>page</body></html>\n");
    }
}

TEST_F(HttpServerSample, NeverServesOutsideTheRoot) {
    for (std::string target : {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/sub/..%2f..%2fsecret.txt",
                               "/sub/../../secret.txt", "/./../secret.txt", "http://127.0.0.1/../secret.txt",
                               "//../secret.txt", "/leak.txt", "/..", "/%2e%2e/"}) {
        Client c(port_);
        ASSERT_TRUE(c.send(get(target)));
        HttpResponse r = read_response(c);
        EXPECT_TRUE(r.status == 403 || r.status == 404) << target << " -> " << r.head;
        EXPECT_EQ(r.body.find("TOP SECRET"), std::string::npos) << target;
    }
    // A ".." that stays inside is still refused (simplest rule: none at all).
    Client c(port_);
    ASSERT_TRUE(c.send(get("/sub/../hello.txt")));
    EXPECT_EQ(read_response(c).status, 403);
    // A NUL byte or a broken escape is a bad request, not a file name (the
    // head itself was fine, so the connection stays open).
    ASSERT_TRUE(c.send(get("/hello.txt%00.html")));
    EXPECT_EQ(read_response(c).status, 400);
    ASSERT_TRUE(c.send(get("/hello%2.txt")));
    EXPECT_EQ(read_response(c).status, 400);
}

TEST_F(HttpServerSample, FoldersServeTheirIndexOrAListing) {
    Client c(port_);
    ASSERT_TRUE(c.send(get("/docs/")));
    HttpResponse r = read_response(c);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "<h1>docs index</h1>\n");
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");

    ASSERT_TRUE(c.send(get("/sub/")));
    r = read_response(c);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("<a href=\"a.txt\">a.txt</a>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<a href=\"nested/\">nested/</a>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<a href=\"sp%20ace.txt\">sp ace.txt</a>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<a href=\"../\">"), std::string::npos) << r.body;

    // Without the slash, relative links would resolve one level up: redirect.
    ASSERT_TRUE(c.send(get("/sub")));
    r = read_response(c);
    EXPECT_EQ(r.status, 301);
    EXPECT_EQ(r.header("Location"), "/sub/");

    // Never an open redirect: "//sub" must not come back as "//sub/", which
    // a browser reads as the host "sub".
    for (const char* path : {"//sub", "///sub"}) {
        ASSERT_TRUE(c.send(get(path)));
        r = read_response(c);
        EXPECT_EQ(r.status, 301) << path;
        EXPECT_EQ(r.header("Location"), "/sub/") << path;
    }

    // A file asked for as a folder does not exist.
    ASSERT_TRUE(c.send(get("/hello.txt/")));
    EXPECT_EQ(read_response(c).status, 404);
}

TEST_F(HttpServerSample, AnswersPipelinedRequestsInOrder) {
    Client c(port_);
    // The big file first: the small answers behind it must wait their turn.
    ASSERT_TRUE(c.send(get("/big.bin") + get("/hello.txt") + get("/missing") +
                       "HEAD /page.html HTTP/1.1\r\nHost: x\r\n\r\n" + get("/sub/a.txt")));
    HttpResponse big = read_response(c);
    EXPECT_EQ(big.status, 200);
    EXPECT_TRUE(big.body == *big_);
    EXPECT_EQ(read_response(c).body, "Hello, pollen!\n");
    EXPECT_EQ(read_response(c).status, 404);
    HttpResponse head = read_response(c, true);
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("Content-Length"), "31");
    EXPECT_EQ(read_response(c).body, "a\n");
    // A request split across two writes is answered once whole.
    ASSERT_TRUE(c.send("GET /hello.txt HT"));
    ASSERT_TRUE(c.send("TP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(read_response(c).body, "Hello, pollen!\n");
}

TEST_F(HttpServerSample, KeepsAliveUnlessToldToClose) {
    {
        Client c(port_);
        for (int i = 0; i < 5; ++i) {
            ASSERT_TRUE(c.send(get("/hello.txt")));
            HttpResponse r = read_response(c);
            ASSERT_EQ(r.status, 200);
            EXPECT_EQ(r.header("Connection"), "");
        }
    }
    {
        // Connection: close is answered, then the connection ends; what follows is not answered.
        Client c(port_);
        ASSERT_TRUE(c.send(get("/hello.txt", "Connection: close\r\n") + get("/page.html")));
        std::string all = c.recv_to_end();
        EXPECT_EQ(all.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << all;
        EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos) << all;
        EXPECT_EQ(all.find("<html>"), std::string::npos) << all;
    }
    {
        // HTTP/1.0 closes by default...
        Client c(port_);
        ASSERT_TRUE(c.send("GET /hello.txt HTTP/1.0\r\n\r\n"));
        std::string all = c.recv_to_end();
        EXPECT_EQ(all.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << all;
        EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos) << all;
        EXPECT_NE(all.find("Hello, pollen!"), std::string::npos) << all;
    }
    {
        // ...and stays open when it asks for keep-alive, which the answer
        // confirms (an HTTP/1.0 client assumes a close otherwise).
        Client c(port_);
        ASSERT_TRUE(c.send("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        HttpResponse r = read_response(c);
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.header("Connection"), "keep-alive") << r.head;
        ASSERT_TRUE(c.send("GET /page.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        r = read_response(c);
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.header("Connection"), "keep-alive") << r.head;
        EXPECT_EQ(r.body, "<html><body>page</body></html>\n");
        // The last one, without it, is answered and closed.
        ASSERT_TRUE(c.send("GET /hello.txt HTTP/1.0\r\n\r\n"));
        std::string all = c.recv_to_end();
        EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos) << all;
        EXPECT_NE(all.find("Hello, pollen!"), std::string::npos) << all;
    }
}

TEST_F(HttpServerSample, CurlDownloadsFilesAndSeesStatuses) {
    std::string out = (*base_ / ("curl-big-" + std::to_string(port_))).string();
    CommandRun r = run_command("curl -s -o " + out + " -w '%{http_code} %{size_download}' " + url("/big.bin"));
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(r.output, "200 " + std::to_string(big_->size()));
    std::ifstream in(out, std::ios::binary);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(got == *big_) << "curl's copy differs from the file";

    r = run_command("curl -s -o /dev/null -w '%{http_code}' " + url("/nope.html"));
    EXPECT_EQ(r.output, "404");
    r = run_command("curl -s -I -o /dev/null -w '%{http_code}' " + url("/hello.txt"));
    EXPECT_EQ(r.output, "200");
    r = run_command("curl -s -L -w ' %{http_code}' " + url("/docs"));  // follows the 301
    EXPECT_EQ(r.output, "<h1>docs index</h1>\n 200");
    r = run_command("curl -s -X PUT -d x -o /dev/null -w '%{http_code}' " + url("/hello.txt"));
    EXPECT_EQ(r.output, "405");
    r = run_command("curl -s " + url("/hello.txt") + " " + url("/page.html"));  // two on one connection
    EXPECT_EQ(r.output, "Hello, pollen!\n<html><body>page</body></html>\n");
}

TEST_F(HttpServerSample, WrkRunsWithoutSocketErrors) {
    CommandRun r = run_command("wrk -t1 -c8 -d1s " + url("/hello.txt"));
    ASSERT_EQ(r.status, 0) << r.output;
    std::size_t at = r.output.find(" requests in ");
    ASSERT_NE(at, std::string::npos) << r.output;
    std::size_t start = r.output.rfind(' ', at - 1) + 1;
    long requests = std::atol(r.output.c_str() + start);
    EXPECT_GT(requests, 0) << r.output;
    EXPECT_EQ(r.output.find("Socket errors"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("Non-2xx"), std::string::npos) << r.output;
    // The server is still fine afterwards.
    Client c(port_);
    ASSERT_TRUE(c.send(get("/hello.txt")));
    EXPECT_EQ(read_response(c).body, "Hello, pollen!\n");
}

TEST_F(HttpServerSample, StopsOnSigtermWithAnIdleConnectionOpen) {
    Client idle(port_);
    ASSERT_TRUE(idle.send(get("/hello.txt")));
    EXPECT_EQ(read_response(idle).status, 200);
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    EXPECT_TRUE(idle.peer_closed());
    server_.reset();
}

TEST_F(HttpServerSample, RefusesARootThatIsNotAFolder) {
    CommandRun r = run_sample("http_server", "--port 0 --root " + (*root_ / "hello.txt").string());
    EXPECT_EQ(r.status, 2) << r.output;
}

// ---------------------------------------------------------------- issue 15: timeouts, cap, HTTP/1.1 validators

TEST_F(HttpServerSample, EveryAnswerCarriesADate) {
    Client c(port_);
    for (std::string req : {get("/hello.txt"), get("/missing"), get("/sub"), get("/sub/"),
                            std::string("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n")}) {
        ASSERT_TRUE(c.send(req));
        HttpResponse r = read_response(c);
        EXPECT_TRUE(is_imf_fixdate(r.header("Date"))) << req << "\n---\n" << r.head;
    }
    Client bad(port_);
    ASSERT_TRUE(bad.send("NONSENSE\r\n\r\n"));
    std::string reply = bad.recv_to_end();
    std::size_t at = reply.find("\r\nDate: ");
    ASSERT_NE(at, std::string::npos) << reply;
    EXPECT_TRUE(is_imf_fixdate(reply.substr(at + 8, 29))) << reply;
}

TEST_F(HttpServerSample, FilesHaveValidatorsAndConditionalRequestsGet304) {
    Client c(port_);
    ASSERT_TRUE(c.send(get("/hello.txt")));
    HttpResponse r = read_response(c);
    ASSERT_EQ(r.status, 200);
    const std::string etag = r.header("ETag");
    const std::string modified = r.header("Last-Modified");
    EXPECT_TRUE(std::regex_match(etag, std::regex(R"("[0-9a-f]+-f")"))) << "nginx's \"mtime-size\" in hex: " << etag;
    EXPECT_TRUE(is_imf_fixdate(modified)) << modified;
    EXPECT_EQ(r.header("Accept-Ranges"), "bytes");

    // Each is [request headers, expected status]; all on one connection, so a
    // 304 that sent a body (or a length) would derail the next answer.
    const std::vector<std::pair<std::string, int>> cases = {
        {"If-None-Match: " + etag + "\r\n", 304},
        {"If-None-Match: \"other\", W/" + etag + "\r\n", 304},  // weak comparison, any of a list
        {"If-None-Match: *\r\n", 304},
        {"If-None-Match: \"other\"\r\n", 200},
        {"If-Modified-Since: " + modified + "\r\n", 304},
        {"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n", 200},
        {"If-Modified-Since: Sunday, 06-Nov-94 08:49:37 GMT\r\n", 200},  // the obsolete forms are read too
        {"If-Modified-Since: Fri Dec 31 23:59:59 2100\r\n", 304},
        {"If-Modified-Since: yesterday\r\n", 200},  // not a date: ignored
        // If-None-Match decides alone when present (RFC 9110 13.2.2).
        {"If-None-Match: \"other\"\r\nIf-Modified-Since: " + modified + "\r\n", 200},
        {"If-None-Match: " + etag + "\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n", 304},
    };
    for (const auto& [headers, status] : cases) {
        ASSERT_TRUE(c.send(get("/hello.txt", headers)));
        HttpResponse got = read_response(c);
        EXPECT_EQ(got.status, status) << headers << "---\n" << got.head;
        if (status == 304) {
            EXPECT_EQ(got.header("Content-Length"), "") << got.head;
            EXPECT_EQ(got.header("ETag"), etag);
            EXPECT_EQ(got.header("Last-Modified"), modified);
            EXPECT_TRUE(is_imf_fixdate(got.header("Date")));
        } else {
            EXPECT_EQ(got.body, "Hello, pollen!\n");
        }
    }
    // HEAD is conditional too; a folder's index.html has validators of its own.
    ASSERT_TRUE(c.send("HEAD /hello.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n"));
    EXPECT_EQ(read_response(c, true).status, 304);
    ASSERT_TRUE(c.send(get("/docs/")));
    r = read_response(c);
    EXPECT_NE(r.header("ETag"), "");
    ASSERT_TRUE(c.send(get("/docs/", "If-None-Match: " + r.header("ETag") + "\r\n")));
    EXPECT_EQ(read_response(c).status, 304);
    ASSERT_TRUE(c.send(get("/hello.txt")));
    EXPECT_EQ(read_response(c).body, "Hello, pollen!\n") << "the connection is still in step";
}

TEST_F(HttpServerSample, ServesSingleByteRangesAndRefusesUnsatisfiableOnes) {
    Client c(port_);
    struct Case {
        std::string range;
        int status;
        std::string content_range;
        std::string body;
    };
    const std::vector<Case> cases = {
        {"bytes=0-4", 206, "bytes 0-4/15", "Hello"},
        {"bytes=7-", 206, "bytes 7-14/15", "pollen!\n"},
        {"bytes=-3", 206, "bytes 12-14/15", "n!\n"},
        {"bytes=10-100", 206, "bytes 10-14/15", "len!\n"},  // the end is clipped
        {"bytes=-100", 206, "bytes 0-14/15", "Hello, pollen!\n"},
        {"bytes=14-14", 206, "bytes 14-14/15", "\n"},
        {"bytes=15-", 416, "bytes */15", ""},
        {"bytes=99-200", 416, "bytes */15", ""},
        {"bytes=-0", 416, "bytes */15", ""},
        {"bytes=0-1,5-6", 200, "", "Hello, pollen!\n"},  // several ranges: the whole file
        {"bytes=5-2", 200, "", "Hello, pollen!\n"},      // malformed: ignored
        {"lines=1-2", 200, "", "Hello, pollen!\n"},      // another unit: ignored
    };
    for (const Case& k : cases) {
        ASSERT_TRUE(c.send(get("/hello.txt", "Range: " + k.range + "\r\n")));
        HttpResponse r = read_response(c);
        EXPECT_EQ(r.status, k.status) << k.range << "\n" << r.head;
        EXPECT_EQ(r.header("Content-Range"), k.content_range) << k.range;
        if (k.status != 416) {
            EXPECT_EQ(r.body, k.body) << k.range;
        }
        EXPECT_EQ(r.header("Content-Length"), std::to_string(r.body.size())) << k.range;
    }
    // A part of the big file across several of the server's chunks, byte for byte.
    ASSERT_TRUE(c.send(get("/big.bin", "Range: bytes=1000001-3500000\r\n")));
    HttpResponse part = read_response(c);
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.header("Content-Range"), "bytes 1000001-3500000/" + std::to_string(big_->size()));
    EXPECT_TRUE(part.body == big_->substr(1000001, 2500000)) << "the part differs from the file";

    // HEAD ignores Range (only GET has ranges, RFC 9110 14.2).
    ASSERT_TRUE(c.send("HEAD /hello.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-4\r\n\r\n"));
    HttpResponse head = read_response(c, true);
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("Content-Length"), "15");

    // If-Range: the range only while the validator still names this version.
    ASSERT_TRUE(c.send(get("/hello.txt")));
    HttpResponse whole = read_response(c);
    const std::string etag = whole.header("ETag");
    for (const auto& [if_range, status] :
         std::vector<std::pair<std::string, int>>{{etag, 206},
                                                  {"\"stale\"", 200},
                                                  {"W/" + etag, 200},  // a weak tag never matches
                                                  {whole.header("Last-Modified"), 206},
                                                  {"Sun, 06 Nov 1994 08:49:37 GMT", 200}}) {
        ASSERT_TRUE(c.send(get("/hello.txt", "Range: bytes=0-4\r\nIf-Range: " + if_range + "\r\n")));
        HttpResponse r = read_response(c);
        EXPECT_EQ(r.status, status) << if_range;
        EXPECT_EQ(r.body, status == 206 ? "Hello" : "Hello, pollen!\n") << if_range;
    }
}

TEST_F(HttpServerSample, CurlResumesRevalidatesAndKeepsHttp10Alive) {
    CommandRun r = run_command("curl -s -r 0-4 " + url("/hello.txt"));
    EXPECT_EQ(r.output, "Hello");
    r = run_command("curl -s -C 7 " + url("/hello.txt"));  // resuming a download
    EXPECT_EQ(r.output, "pollen!\n");
    r = run_command("curl -s -o /dev/null -w '%{http_code}' -z 'Fri, 31 Dec 2100 23:59:59 GMT' " + url("/hello.txt"));
    EXPECT_EQ(r.output, "304");
    r = run_command("curl -s -o /dev/null -w '%{http_code}' -z 'Sun, 06 Nov 1994 08:49:37 GMT' " + url("/hello.txt"));
    EXPECT_EQ(r.output, "200");
    // Two transfers, one connection: the second makes no new connect.
    r = run_command("curl -s --http1.0 -H 'Connection: keep-alive' -o /dev/null -o /dev/null -w '%{num_connects} ' " +
                    url("/hello.txt") + " " + url("/page.html"));
    EXPECT_EQ(r.output, "1 0 ");
}

// nginx's client_header_timeout: the whole head within the limit, however
// steadily it drips in. A byte every 50 ms would keep a per-read timeout of
// 400 ms at bay for ever; the head's deadline cuts it off.
TEST_F(HttpServerSample, AHeadDrippingInIsCutOffAtTheHeaderTimeoutWith408) {
    start({"--header-timeout-ms", "400"});
    Client c(port_);
    const std::string head = "GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(200, 'a') + "\r\n\r\n";
    std::size_t sent = 0;
    while (sent < head.size() && !readable(c, 50)) {
        ASSERT_TRUE(c.send(head.substr(sent, 1)));
        ++sent;
    }
    ASSERT_LT(sent, head.size()) << "the whole head dripped in and was never cut off";
    std::string reply = c.recv_to_end();
    EXPECT_EQ(reply.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << reply;
    EXPECT_NE(reply.find("Connection: close\r\n"), std::string::npos) << reply;
}

// keepalive_timeout between requests, and the header timeout before the
// first one: both close without a word (there is no request to answer).
TEST_F(HttpServerSample, IdleConnectionsAreClosedSilently) {
    start({"--idle-timeout-ms", "200", "--header-timeout-ms", "300"});
    Client kept(port_);
    ASSERT_TRUE(kept.send(get("/hello.txt")));
    EXPECT_EQ(read_response(kept).status, 200);
    ASSERT_TRUE(kept.send(get("/page.html")));  // a request before the limit is served as usual
    EXPECT_EQ(read_response(kept).status, 200);
    EXPECT_EQ(kept.recv_to_end(), "") << "an idle connection gets no answer, only a close";

    Client silent(port_);
    EXPECT_EQ(silent.recv_to_end(), "") << "a connection that never sent a byte is closed";
}

// nginx's send_timeout: a client that stops reading is dropped once a write
// has made no progress for the limit. The client's receive buffer is small
// and the file large, so the server's writes stall for good.
TEST_F(HttpServerSample, AClientThatStopsReadingIsDroppedAtTheWriteTimeout) {
    start({"--write-timeout-ms", "200"});
    const std::uint64_t size = 64ull << 20;
    fs::path sparse = *root_ / ("sparse-" + std::to_string(port_) + ".bin");
    { std::ofstream(sparse, std::ios::binary).flush(); }
    fs::resize_file(sparse, size);  // sparse: 64 MiB of zeros that cost no disk
    const std::size_t idle_fds = server_fds();

    Client c(port_, /*rcvbuf=*/4096);
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(get("/" + sparse.filename().string())));
    ASSERT_EQ(c.recv_n(64).size(), 64u) << "the answer never started";

    // Not reading: the server gives up, closing the connection and the file.
    bool dropped = false;
    for (int i = 0; i < 2000 && !dropped; ++i) {
        dropped = server_fds() <= idle_fds;
        if (!dropped) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_TRUE(dropped) << "the stalled connection is still open";
    std::uint64_t got = 64;
    c.recv_each([&](std::string_view chunk) { got += chunk.size(); });
    EXPECT_LT(got, size) << "the whole file arrived: nothing stalled";
    fs::remove(sparse);
}

// Past --max-connections a newcomer is accepted, told 503 and closed, while
// the connections already there are served; once one leaves, newcomers are
// served again.
TEST_F(HttpServerSample, PastMaxConnectionsNewcomersGet503AndTheOthersAreServed) {
    start({"--max-connections", "2"});
    auto a = std::make_unique<Client>(port_);
    Client b(port_);
    for (Client* c : {a.get(), &b}) {
        ASSERT_TRUE(c->send(get("/hello.txt")));
        ASSERT_EQ(read_response(*c).status, 200);
    }
    for (int i = 0; i < 3; ++i) {
        Client late(port_);
        ASSERT_TRUE(late.send(get("/hello.txt")));
        std::string reply = late.recv_to_end();
        EXPECT_EQ(reply.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << reply;
        EXPECT_NE(reply.find("Connection: close\r\n"), std::string::npos) << reply;
        EXPECT_NE(reply.find("\r\n\r\n503 Service Unavailable\n"), std::string::npos) << reply;
    }
    for (Client* c : {a.get(), &b}) {
        ASSERT_TRUE(c->send(get("/page.html")));
        EXPECT_EQ(read_response(*c).status, 200) << "a connection under the cap was not served";
    }
    a.reset();  // one leaves: the server sees it and serves a newcomer again
    int status = 0;
    for (int i = 0; i < 200 && status != 200; ++i) {
        Client next(port_);
        ASSERT_TRUE(next.send(get("/hello.txt")));
        status = read_response(next).status;
        if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(status, 200);
}
