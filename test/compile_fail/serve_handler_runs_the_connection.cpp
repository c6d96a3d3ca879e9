// expect: pollen::net::serve: the handler must return a future
// serve spawns the future the handler returns; a handler that serves the
// connection itself (blocking the accept loop) returns nothing to spawn.
#include <pollen.hpp>

int main() {
    auto rt = pollen::Runtime::builder().enable_all().build();
    auto inside = rt.enter();
    auto listener = pollen::net::TcpListener::bind("127.0.0.1:0").unwrap();
    auto server = pollen::net::serve(std::move(listener), [](pollen::net::TcpStream stream, pollen::net::SocketAddr) {
        (void)stream.set_nodelay(true);
    });
    return rt.block_on(std::move(server).unwrap()).accepted == 0 ? 0 : 1;
}
