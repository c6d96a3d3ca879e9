// RedisClient and its Call future (see redis_client.hpp).
#include "redis_client.hpp"

#include <span>

namespace task_queue {

namespace {
constexpr std::size_t kReadChunk = 16 * 1024;
}

Call RedisClient::call(const std::vector<Command>& commands) {
    std::string request;
    for (const auto& c : commands) resp::append_command(request, c);
    return Call(*this, std::move(request), commands.size());
}

Call RedisClient::call(std::initializer_list<std::string_view> command) {
    std::string request;
    resp::append_command(request, command);
    return Call(*this, std::move(request), 1);
}

Call::Call(RedisClient& client, std::string request, std::size_t replies)
    : client_(&client), request_(std::move(request)), expected_(replies) {
    replies_.reserve(replies);
}

// async fn call(&mut self, request: String, expected: usize) -> io::Result<Vec<Value>> {
//     if self.broken { return Err(NotConnected) }
//     self.broken = true;
//     self.stream.write_all(&request).await?;
//     let mut replies = vec![];
//     while !self.take_buffered(&mut replies, expected)? {
//         let n = self.stream.read_buf(&mut self.input).await?;
//         if n == 0 { return Err(ConnectionReset) }
//     }
//     self.broken = false;
//     Ok(replies)
// }
pollen::Poll<Call::Output> Call::poll(pollen::Context& cx) {
    POLLEN_BEGIN(cx);
    if (client_->broken_) POLLEN_RETURN(pollen::Err(std::make_error_code(std::errc::not_connected)));
    // Out of step from the first byte sent until the last reply is read: an
    // error or a drop in between leaves it so.
    client_->broken_ = true;
    POLLEN_AWAIT_TRY(pollen::io::write_all(client_->stream_, request_));
    for (;;) {
        // Parse every reply already buffered before reading more.
        POLLEN_TRY(complete_, take_buffered());
        if (complete_) break;
        // Read straight onto the end of the input: grow it by a chunk, keep what came.
        kept_ = client_->in_.size();
        client_->in_.resize(kept_ + kReadChunk);
        POLLEN_LET_TRY(n_, pollen::io::read(client_->stream_,
                                            std::as_writable_bytes(std::span(client_->in_).subspan(kept_))));
        client_->in_.resize(kept_ + n_);
        if (n_ == 0) POLLEN_RETURN(pollen::Err(std::make_error_code(std::errc::connection_reset)));
    }
    client_->broken_ = false;
    POLLEN_RETURN(pollen::Ok(std::move(replies_)));
    POLLEN_END;
}

pollen::io::Result<bool> Call::take_buffered() {
    std::string& in = client_->in_;
    std::size_t at = 0;
    while (replies_.size() < expected_) {
        auto parsed = resp::parse_value(std::string_view(in).substr(at));
        if (parsed.incomplete()) break;
        if (parsed.failed()) return pollen::Err(std::make_error_code(std::errc::protocol_error));
        replies_.push_back(std::move(parsed.value));
        at += parsed.consumed;
    }
    in.erase(0, at);
    return pollen::Ok(replies_.size() == expected_);
}

}  // namespace task_queue
