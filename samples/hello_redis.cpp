// hello_redis: the first program of Tokio's tutorial ("Hello Tokio"), with
// mini_redis's client (samples/mini_redis/client.hpp): connect, SET
// hello=world, GET it back, print it.
//
//     hello_redis [--port P]        (a mini_redis or Redis on 127.0.0.1:P, 6379 by default)
//
// Prints `got value from the server; result=world` and exits 0; on an error,
// says why on stderr and exits 1 (2 on bad usage).
//
// The Rust it stands for:
//
//     #[tokio::main]
//     async fn main() -> mini_redis::Result<()> {
//         let mut client = client::connect("127.0.0.1:6379").await?;
//         client.set("hello", "world".into()).await?;
//         let result = client.get("hello").await?;
//         println!("got value from the server; result={:?}", result);
//         Ok(())
//     }
#include <pollen.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "mini_redis/client.hpp"
#include "server_args.hpp"

using namespace pollen;

struct Main : Async<Main, io::Result<void>> {
    std::string addr;
    std::optional<mini_redis::Client> client;
    std::optional<std::string> result;
    POLLEN_FRAME;
    explicit Main(std::string a) : addr(std::move(a)) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(client, mini_redis::connect(addr));
        POLLEN_AWAIT_TRY(client->set("hello", "world"));
        POLLEN_LET_TRY(result, client->get("hello"));
        std::printf("got value from the server; result=%s\n", result ? result->c_str() : "nil");
        POLLEN_RETURN(Ok());
        POLLEN_END;
    }
};

int main(int argc, char** argv) {
    std::uint64_t port = 6379;
    bool usage_ok = argc == 1 || (argc == 3 && std::string_view(argv[1]) == "--port" &&
                                  samples::parse_uint(argv[2], 65535, port) && port > 0);
    if (!usage_ok) {
        std::fprintf(stderr, "usage: hello_redis [--port P]\n");
        return 2;
    }
    Runtime rt = Runtime::builder().worker_threads(1).enable_all().build();
    io::Result<void> done = rt.block_on(Main("127.0.0.1:" + std::to_string(port)));
    if (done.is_err()) {
        std::fprintf(stderr, "hello_redis: %s\n", done.error().message().c_str());
        return 1;
    }
    return 0;
}
