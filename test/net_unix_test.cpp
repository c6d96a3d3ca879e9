// UnixListener / UnixStream on a multi-thread runtime: echo over a socket
// file, socketpair, split halves in two tasks, addresses, and connecting to a
// path where nothing listens.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pollen.hpp>

using namespace pollen;
using namespace pollen::net;

namespace {

#define NET_READY_OR_RETURN(var, expr)           \
    auto var##_poll = (expr);                    \
    if (var##_poll.is_pending()) return pending; \
    auto var = var##_poll.take()

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string text(const std::vector<std::byte>& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

Runtime make_runtime() { return Builder::new_multi_thread().worker_threads(2).enable_all().build(); }

/// A fresh socket path, removed when the test ends (cleanup is the user's job).
class TempSocketPath {
public:
    TempSocketPath() {
        static int counter = 0;
        path_ = "/tmp/pollen-net-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".sock";
        ::unlink(path_.c_str());
    }
    ~TempSocketPath() { ::unlink(path_.c_str()); }
    const std::string& str() const { return path_; }

private:
    std::string path_;
};

/// Echoes until EOF, then half-closes.
class EchoConn : public FutureExt<EchoConn> {
public:
    using Output = io::Result<void>;
    explicit EchoConn(UnixStream s) : s_(std::make_unique<UnixStream>(std::move(s))) {}
    Poll<Output> poll(Context& cx) {
        if (!copied_) {
            if (!copy_) copy_.emplace(*s_, *s_);
            NET_READY_OR_RETURN(n, copy_->poll(cx));
            if (!n) return ready(Output(Err(n.error())));
            copied_ = true;
        }
        return s_->poll_shutdown(cx);
    }

private:
    std::unique_ptr<UnixStream> s_;
    std::optional<io::Copy<UnixStream, UnixStream>> copy_;
    bool copied_ = false;
};

/// Writes `msg`, half-closes, reads to EOF.
class SendAndCollect : public FutureExt<SendAndCollect> {
public:
    using Output = io::Result<std::string>;
    SendAndCollect(UnixStream s, std::string msg) : s_(std::make_unique<UnixStream>(std::move(s))), msg_(std::move(msg)) {}
    Poll<Output> poll(Context& cx) {
        if (!read_) {
            if (!write_) write_.emplace(*s_, bytes(msg_));
            NET_READY_OR_RETURN(w, write_->poll(cx));
            if (!w) return ready(Output(Err(w.error())));
            NET_READY_OR_RETURN(sd, s_->poll_shutdown(cx));
            if (!sd) return ready(Output(Err(sd.error())));
            read_.emplace(*s_, got_);
        }
        NET_READY_OR_RETURN(r, read_->poll(cx));
        if (!r) return ready(Output(Err(r.error())));
        return ready(Output(Ok(text(got_))));
    }

private:
    std::unique_ptr<UnixStream> s_;
    std::string msg_;
    std::optional<io::WriteAll<UnixStream>> write_;
    std::vector<std::byte> got_;
    std::optional<io::ReadToEnd<UnixStream>> read_;
};

}  // namespace

TEST(UnixStream, EchoesAMessageThroughASocketFile) {
    TempSocketPath path;
    Runtime rt = make_runtime();
    UnixListener listener = rt.block_on(lazy([&] { return UnixListener::bind(path.str()); })).unwrap();
    EXPECT_EQ(listener.local_addr().value().as_pathname(), path.str());

    auto server = rt.spawn(listener.accept().then([](auto r) {
        auto [stream, peer] = std::move(r).unwrap();
        EXPECT_TRUE(peer.is_unnamed());  // a connecting socket has no name of its own
        return EchoConn(std::move(stream));
    }));
    auto client = rt.block_on(rt.spawn(UnixStream::connect(path.str()))).unwrap();
    ASSERT_TRUE(client.is_ok()) << client.error().message();
    EXPECT_EQ(client->peer_addr().value().as_pathname(), path.str());
    auto reply = rt.block_on(rt.spawn(SendAndCollect(std::move(*client), "over a unix socket"))).unwrap();
    EXPECT_EQ(reply.value(), "over a unix socket");
    EXPECT_TRUE(rt.block_on(std::move(server)).unwrap().is_ok());
}

TEST(UnixStream, ConnectWhereNothingListensFails) {
    TempSocketPath path;  // never bound
    Runtime rt = make_runtime();
    auto r = rt.block_on(rt.spawn(UnixStream::connect(path.str()))).unwrap();
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), std::errc::no_such_file_or_directory);
    auto too_long = rt.block_on(rt.spawn(UnixStream::connect(std::string(300, 'p')))).unwrap();
    ASSERT_TRUE(too_long.is_err());
    EXPECT_EQ(too_long.error(), std::errc::filename_too_long);
}

TEST(UnixStream, PairIsConnectedBothWays) {
    Runtime rt = make_runtime();
    auto [a, b] = rt.block_on(lazy([] { return UnixStream::pair(); })).unwrap();
    auto echo = rt.spawn(EchoConn(std::move(b)));
    auto reply = rt.block_on(rt.spawn(SendAndCollect(std::move(a), "paired"))).unwrap();
    EXPECT_EQ(reply.value(), "paired");
    EXPECT_TRUE(rt.block_on(std::move(echo)).unwrap().is_ok());
}

TEST(UnixStream, SplitHalvesWorkFromTwoTasksAtOnce) {
    constexpr std::size_t kTotal = 4 * 1024 * 1024;  // beyond the socket buffers
    Runtime rt = make_runtime();
    auto [a, b] = rt.block_on(lazy([] { return UnixStream::pair(); })).unwrap();
    auto echo = rt.spawn(EchoConn(std::move(b)));
    auto [rd, wr] = std::move(a).into_split();

    struct Writer : FutureExt<Writer> {
        using Output = io::Result<void>;
        UnixOwnedWriteHalf w;
        std::size_t left;
        std::vector<std::byte> chunk = std::vector<std::byte>(8192, std::byte{'z'});
        Poll<Output> poll(Context& cx) {
            while (left > 0) {
                NET_READY_OR_RETURN(n, w.poll_write(cx, std::span(chunk).first(std::min(left, chunk.size()))));
                if (!n) return ready(Output(Err(n.error())));
                left -= *n;
            }
            return w.poll_shutdown(cx);
        }
    };
    struct Reader : FutureExt<Reader> {
        using Output = io::Result<std::size_t>;
        UnixOwnedReadHalf r;
        std::size_t total = 0;
        bool all_z = true;
        std::vector<std::byte> buf = std::vector<std::byte>(8192);
        Poll<Output> poll(Context& cx) {
            for (;;) {
                NET_READY_OR_RETURN(n, r.poll_read(cx, buf));
                if (!n) return ready(Output(Err(n.error())));
                if (*n == 0) return ready(Output(Ok(all_z ? total : 0)));
                for (std::size_t i = 0; i < *n; ++i) all_z = all_z && buf[i] == std::byte{'z'};
                total += *n;
            }
        }
    };
    auto writer = rt.spawn(Writer{{}, std::move(wr), kTotal});
    auto reader = rt.spawn(Reader{{}, std::move(rd)});
    EXPECT_TRUE(rt.block_on(std::move(writer)).unwrap().is_ok());
    EXPECT_EQ(rt.block_on(std::move(reader)).unwrap().value(), kTotal);
    EXPECT_TRUE(rt.block_on(std::move(echo)).unwrap().is_ok());
}
