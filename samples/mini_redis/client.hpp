#pragma once
// mini_redis::Client: a Redis client shaped like Tokio mini-redis's
// `clients::Client`, over a codec::Framed of the socket and the ClientCodec
// (resp_codec.hpp): each call sends its command as a resp::Command frame and
// reads one resp::Value frame back. It talks to mini_redis and to Redis.
//
//     mini_redis::connect("127.0.0.1:6379")   // future of io::Result<Client>
//     client.set("hello", "world")             // future of io::Result<void>
//     client.get("hello")                      // future of io::Result<std::optional<std::string>>
//     client.publish("news", "hi")             // future of io::Result<std::uint64_t>: subscribers reached
//
// Each call's future is a Request<T>, this `async fn` written with the
// resumable body (core/async_fn.hpp):
//
//     async fn request(&mut self, command: Command) -> io::Result<T> {
//         self.frames.send(command).await?;      // encode, then flush
//         let reply = self.read_reply().await?;  // the next frame; an error reply is an Err
//         convert(reply)                         // SET: +OK; GET: bulk or nil; PUBLISH: integer
//     }
//
// Errors are io::Errors (std::error_code): the socket's own, or
// std::errc::connection_reset when the server closed before replying, or one
// of mini_redis::errc (error.hpp): protocol_error for a reply that is not
// RESP, unexpected_reply for a reply the command never gets, server_error
// for an error reply ("-ERR ..."). An error_code cannot carry the server's
// text, so the client keeps it: `last_error()` is the text of the last error
// reply ("ERR value is not an integer or out of range") or protocol error.
//
// One call at a time, as Rust's `&mut self` enforces: a Request borrows its
// client, which must outlive it and must not move while it runs. Destroying
// a Request after it sent its command and before the reply came leaves that
// reply to be read by the next call: drop the client then. A client and its
// requests are used by one task at a time.
#include <pollen.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "error.hpp"
#include "resp_codec.hpp"

namespace mini_redis {

class Client;

/// The future of one call: Ready with the reply, converted to `T`.
template <class T>
class Request : public pollen::Async<Request<T>, pollen::io::Result<T>> {
public:
    /// What a reply that is not an error means for this command.
    using Convert = pollen::io::Result<T> (*)(resp::Value&&);

    Request(Client& client, resp::Command command, Convert convert)
        : client_(&client), command_(std::move(command)), convert_(convert) {}

    pollen::Poll<pollen::io::Result<T>> poll(pollen::Context& cx);

private:
    Client* client_;
    resp::Command command_;
    Convert convert_;
    resp::Value reply_;
    POLLEN_FRAME_SIZED(64);
};

class Client {
public:
    explicit Client(pollen::net::TcpStream stream) : frames_(std::move(stream), ClientCodec()) {}

    /// GET: the value, or nullopt when the key does not exist.
    Request<std::optional<std::string>> get(std::string key) {
        return {*this, command("GET", std::move(key)), &bulk_or_nil};
    }
    /// SET, without options: Ok once the server stored it.
    Request<void> set(std::string key, std::string value) {
        return {*this, command("SET", std::move(key), std::move(value)), &ok};
    }
    /// PUBLISH: how many subscribers received the message.
    Request<std::uint64_t> publish(std::string channel, std::string message) {
        return {*this, command("PUBLISH", std::move(channel), std::move(message)), &count};
    }

    /// The text of the last error reply or protocol error a call returned.
    const std::string& last_error() const { return last_error_; }

private:
    template <class T>
    friend class Request;

    template <class... Args>
    static resp::Command command(Args&&... args) {
        resp::Command c;
        c.args.reserve(sizeof...(args));
        (c.args.emplace_back(std::forward<Args>(args)), ...);
        return c;
    }

    static pollen::io::Result<std::optional<std::string>> bulk_or_nil(resp::Value&& v) {
        if (v.is_null()) return pollen::Ok(std::optional<std::string>());
        if (v.kind != resp::Value::Kind::Bulk) return pollen::Err(errc::unexpected_reply);
        return pollen::Ok(std::optional<std::string>(std::move(v.str)));
    }
    static pollen::io::Result<void> ok(resp::Value&& v) {
        if (v.kind != resp::Value::Kind::Simple || v.str != "OK") return pollen::Err(errc::unexpected_reply);
        return pollen::Ok();
    }
    static pollen::io::Result<std::uint64_t> count(resp::Value&& v) {
        if (!v.is_integer() || v.integer < 0) return pollen::Err(errc::unexpected_reply);
        return pollen::Ok(static_cast<std::uint64_t>(v.integer));
    }

    /// The next reply; an error reply is Err(server_error), its text kept.
    pollen::Poll<pollen::io::Result<resp::Value>> poll_reply(pollen::Context& cx) {
        auto p = frames_.poll_next(cx);
        if (p.is_pending()) return pollen::pending;
        std::optional<pollen::Result<resp::Value, CodecError>> reply = p.take();
        if (!reply) return pollen::ready(pollen::Err(pollen::io::error(std::errc::connection_reset)));
        if (reply->is_err()) {
            CodecError& e = reply->error();
            if (e.code == errc::protocol_error) last_error_ = std::move(e.message);
            return pollen::ready(pollen::Err(e.code));
        }
        if (reply->value().is_error()) {
            last_error_ = std::move(reply->value().str);
            return pollen::ready(pollen::Err(make_error_code(errc::server_error)));
        }
        return pollen::ready(pollen::Ok(std::move(reply->value())));
    }

    pollen::codec::Framed<pollen::net::TcpStream, ClientCodec> frames_;
    std::string last_error_;
};

template <class T>
pollen::Poll<pollen::io::Result<T>> Request<T>::poll(pollen::Context& cx) {
    POLLEN_BEGIN(cx);
    POLLEN_AWAIT_TRY(client_->frames_.send(std::move(command_)));
    POLLEN_LET_TRY(reply_, pollen::poll_fn([this](pollen::Context& c) { return client_->poll_reply(c); }));
    POLLEN_RETURN(convert_(std::move(reply_)));
    POLLEN_END;
}

/// Connects to `addr`, "host:port" ("127.0.0.1:6379", "localhost:6379").
/// Boxed: a connect by name (lookup, then each address in turn) is some 400
/// bytes, more than an async body's slot holds, and it runs once per client.
inline pollen::BoxFuture<pollen::io::Result<Client>> connect(std::string_view addr) {
    return pollen::net::TcpStream::connect(addr)
        .map([](pollen::io::Result<pollen::net::TcpStream> stream) -> pollen::io::Result<Client> {
            if (stream.is_err()) return pollen::Err(stream.error());
            (void)stream->set_nodelay(true);  // requests are small and each waits for its reply
            return pollen::Ok(Client(std::move(stream).value()));
        })
        .boxed();
}

}  // namespace mini_redis
