#pragma once
// RedisClient: a small asynchronous Redis client on pollen's TcpStream,
// speaking RESP2 with the mini_redis sample's codec (../mini_redis/resp.hpp).
//
//     auto client = rt.block_on(RedisClient::connect(addr));   // io::Result<RedisClient>
//     auto replies = rt.block_on(client->call({{"SET", "k", "v"}, {"GET", "k"}}));
//
// `call(commands)` is a future that writes every command in one go
// (pipelining) and is Ready with their replies, in order:
// io::Result<std::vector<resp::Value>>. A Redis error reply ("-ERR ...") is
// a reply, a Value with is_error(); an io error (the connection broke, or a
// reply was not valid RESP: std::errc::protocol_error) is the Result's Err.
//
// One call at a time: a Call borrows its client, which must outlive it.
// Blocking commands (BLMOVE with a timeout) simply stay Pending until Redis
// answers. Destroying a Call after its first poll and before Ready, or an io
// error, leaves the connection out of step with its replies (they arrive
// later, unread): the client must then be dropped, which `broken()` reports.
#include <pollen.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "../mini_redis/resp.hpp"

namespace task_queue {

class RedisClient;

/// The future of RedisClient::call: the `async fn` of redis_client.cpp.
class Call : public pollen::Async<Call, pollen::io::Result<std::vector<resp::Value>>> {
public:
    Call(RedisClient& client, std::string request, std::size_t replies);

    pollen::Poll<Output> poll(pollen::Context& cx);

private:
    /// Moves the complete replies at the front of the input into replies_;
    /// Ok(true) once all of them are in.
    pollen::io::Result<bool> take_buffered();

    RedisClient* client_;
    std::string request_;
    std::size_t expected_;
    std::vector<resp::Value> replies_;
    bool complete_ = false;
    std::size_t kept_ = 0;  ///< input bytes before the read in flight
    std::size_t n_ = 0;
    POLLEN_FRAME_SIZED(64);
};

class RedisClient {
public:
    using Command = std::vector<std::string>;

    /// Connects; the future's output is io::Result<RedisClient>.
    static auto connect(const pollen::net::SocketAddr& addr) {
        return pollen::net::TcpStream::connect(addr).map([](pollen::io::Result<pollen::net::TcpStream> r) {
            if (r.is_err()) return pollen::io::Result<RedisClient>(pollen::Err(r.error()));
            (void)r.value().set_nodelay(true);
            return pollen::io::Result<RedisClient>(pollen::Ok(RedisClient(std::move(r).value())));
        });
    }

    explicit RedisClient(pollen::net::TcpStream stream) : stream_(std::move(stream)) {}
    RedisClient(RedisClient&&) = default;
    RedisClient& operator=(RedisClient&&) = default;

    /// Sends `commands` pipelined; Ready with one reply per command.
    Call call(const std::vector<Command>& commands);
    /// One command.
    Call call(std::initializer_list<std::string_view> command);

    /// A Call was dropped before its replies came: the stream is out of step.
    bool broken() const { return broken_; }

private:
    friend class Call;
    pollen::net::TcpStream stream_;
    std::string in_;  ///< received, not yet parsed
    bool broken_ = false;
};

}  // namespace task_queue
