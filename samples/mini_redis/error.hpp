#pragma once
// mini_redis::errc: the errors of mini_redis's codec and client that are not
// I/O errors, as std::error_codes in the "mini_redis" category:
//
//   - protocol_error: bytes that are not valid RESP (a request, on the
//     server; a reply, on the client). Equal to std::errc::protocol_error.
//   - server_error: the server answered with an error reply ("-ERR ...").
//     An error_code cannot carry text: the reply's message is kept by the
//     Client (`client.last_error()`), as Redis's own clients keep it.
//   - unexpected_reply: a reply of a type the command never answers with
//     (a SET answered with an integer). Equal to std::errc::protocol_error.
//   - query_buffer_limit: a client's unprocessed input passed the server's
//     client-query-buffer-limit (or the total across clients); the server
//     closes it, without a reply, as Redis does. Equal to
//     std::errc::no_buffer_space.
//
// Plain values; the category is one object for the whole program.
#include <string>
#include <system_error>
#include <type_traits>

namespace mini_redis {

enum class errc {
    protocol_error = 1,
    server_error,
    unexpected_reply,
    query_buffer_limit,
};

namespace detail {
class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "mini_redis"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::protocol_error: return "invalid RESP from the peer";
            case errc::server_error: return "the server replied with an error";
            case errc::unexpected_reply: return "unexpected reply from the server";
            case errc::query_buffer_limit: return "the client's query buffer passed its limit";
        }
        return "unknown mini_redis error";
    }
    std::error_condition default_error_condition(int ev) const noexcept override {
        if (static_cast<errc>(ev) == errc::server_error) return {ev, *this};
        if (static_cast<errc>(ev) == errc::query_buffer_limit) return std::errc::no_buffer_space;
        return std::errc::protocol_error;
    }
};
}  // namespace detail

inline const std::error_category& error_category() noexcept {
    static const detail::Category category;
    return category;
}

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace mini_redis

template <>
struct std::is_error_code_enum<mini_redis::errc> : std::true_type {};
