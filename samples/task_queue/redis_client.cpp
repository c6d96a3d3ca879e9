// RedisClient and its Call future (see redis_client.hpp).
#include "redis_client.hpp"

#include <span>

namespace task_queue {

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

Call::Call(Call&& other) noexcept
    : client_(other.client_),
      request_(std::move(other.request_)),
      written_(other.written_),
      expected_(other.expected_),
      replies_(std::move(other.replies_)),
      done_(other.done_) {
    other.client_ = nullptr;
}

Call::~Call() {
    // Bytes were sent but not all replies read: whoever reads next would get ours.
    if (client_ && !done_ && written_ > 0) client_->broken_ = true;
}

pollen::Poll<Call::Output> Call::poll(pollen::Context& cx) {
    auto fail = [&](std::error_code ec) {
        done_ = true;
        client_->broken_ = true;
        return pollen::Ready<Output>{pollen::Err(ec)};
    };
    if (client_->broken_) return fail(std::make_error_code(std::errc::not_connected));
    while (written_ < request_.size()) {
        auto p = client_->stream_.poll_write(cx, std::as_bytes(std::span(request_).subspan(written_)));
        if (p.is_pending()) return pollen::pending;
        auto r = p.take();
        if (r.is_err()) return fail(r.error());
        if (r.value() == 0) return fail(std::make_error_code(std::errc::broken_pipe));
        written_ += r.value();
    }
    std::string& in = client_->in_;
    for (;;) {
        // Parse every reply already buffered before reading more.
        std::size_t at = 0;
        while (replies_.size() < expected_) {
            auto parsed = resp::parse_value(std::string_view(in).substr(at));
            if (parsed.incomplete()) break;
            if (parsed.failed()) return fail(std::make_error_code(std::errc::protocol_error));
            replies_.push_back(std::move(parsed.value));
            at += parsed.consumed;
        }
        in.erase(0, at);
        if (replies_.size() == expected_) {
            done_ = true;
            return pollen::Ready<Output>{pollen::Ok(std::move(replies_))};
        }
        char buf[16 * 1024];
        auto p = client_->stream_.poll_read(cx, std::as_writable_bytes(std::span(buf)));
        if (p.is_pending()) return pollen::pending;
        auto r = p.take();
        if (r.is_err()) return fail(r.error());
        if (r.value() == 0) return fail(std::make_error_code(std::errc::connection_reset));
        in.append(buf, r.value());
    }
}

}  // namespace task_queue
