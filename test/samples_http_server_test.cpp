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

    void SetUp() override {
        server_ = std::make_unique<ServerProcess>(
            "http_server", std::vector<std::string>{"--port", "0", "--root", root_->string()});
        ASSERT_TRUE(server_->port()) << "no 'listening port=P' line";
        port_ = *server_->port();
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
        // ...and stays open when it asks for keep-alive.
        Client c(port_);
        ASSERT_TRUE(c.send("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        EXPECT_EQ(read_response(c).status, 200);
        ASSERT_TRUE(c.send("GET /page.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        EXPECT_EQ(read_response(c).status, 200);
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
