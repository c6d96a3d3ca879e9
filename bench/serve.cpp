// `pollen-bench serve echo|http --port P [--threads N]` (SCENARIOS.md, Network):
// bind 127.0.0.1:P, print `listening port=P`, accept until SIGINT/SIGTERM,
// one task per connection. Mirrors the Tokio anchor's `serve` (net.rs).
#include "serve.hpp"

#include <array>
#include <optional>
#include <string>

#include "cli.hpp"
#include "registry.hpp"

namespace pollen::bench::serve {

namespace {

int cmd_serve(std::span<const std::string> args) {
    if (args.empty()) die(2, "serve: missing kind (echo or http)");
    int (*serve)(const Config&) = nullptr;
    if (args[0] == "echo") serve = serve_echo;
    else if (args[0] == "http") serve = serve_http;
    else die(2, "serve: unknown kind '" + args[0] + "' (echo or http)");

    static constexpr std::array<std::string_view, 2> kAllowed{"port", "threads"};
    auto [flags, error] = Flags::parse(args.subspan(1), kAllowed);
    if (!flags) die(2, "serve: " + error);
    Config config;
    config.port = static_cast<std::uint16_t>(flags->uint("port", std::nullopt, 0, 65535, error));
    config.threads = flags->uint("threads", default_threads(), 1, 4096, error);
    if (!error.empty()) die(2, "serve: " + error);
    return serve(config);
}

const RegisterCommand kServe{{"serve", "serve echo|http --port P [--threads N]", cmd_serve}};

}  // namespace

}  // namespace pollen::bench::serve
