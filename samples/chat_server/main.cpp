// chat_server: a TCP chat room, Tokio's classic broadcast example.
//
//     chat_server [--port P] [--threads N] [--host A]     (P=0 picks a free port)
//                 [--max-connections N] [--idle-timeout-ms MS]
//
// Connect with `nc 127.0.0.1 P`. The first line you send is your name; every
// later line reaches everyone else as "name: line", and the others see
// "*** name joined" / "*** name left". Prints `listening port=P` once it
// accepts connections; on SIGINT/SIGTERM it stops accepting, ends every
// connection and exits 0.
//
// What one client may hold: a line of at most 4 KiB (a longer one ends the
// connection), one message on its way out (the next is taken from the room
// only once that one is written), and its place in the room's channel,
// which keeps the last 64 messages for everyone: a client that reads slower
// than the room talks falls behind, and once 64 messages behind it gets
// "*** you missed N messages" instead of them. Memory per client is thus
// bounded whatever it reads; nobody waits for it. --max-connections N caps
// the clients (0, the default: no cap; past it a newcomer is told
// "*** the room is full, try again later" and closed, rather than left
// waiting in the kernel's listen backlog); --idle-timeout-ms MS
// disconnects a client from which no line came and to which nothing could be
// written for MS (a silent lurker in a silent room, or a client that stopped
// reading), announced as its leaving (0, the default: no timeout).
//
// The room is a broadcast channel (tokio::sync::broadcast): each connection
// holds a Sender to publish its lines and its own Receiver to get everyone
// else's. A connection task does two things at once, which in Rust is
//
//     loop {
//         tokio::select! {
//             line = lines.next_line() => tx.send((id, format!("{name}: {line}")))?,
//             msg = rx.recv() => if msg.from != id { socket.write_all(msg.text).await? },
//         }
//     }
//
// Here that loop is the hand-written future ChatConnection
// (chat_connection.hpp): its poll tries both sources, and whichever is
// ready makes progress; when neither is, both have stored the task's waker
// and it returns Pending. That is all select is.
#include <pollen.hpp>

#include "../server_args.hpp"
#include "chat_connection.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string_view>

using chat::ChatConnection;
using chat::ChatMsg;
using chat::Room;
using chat::kRoomCapacity;

int main(int argc, char** argv) {
    pollen::net::ServeOptions options;  // SIGINT/SIGTERM end every connection at its next poll
    options.reject_when_full = chat::kRoomFull;
    samples::ServerArgs defaults;
    defaults.port = 7000;
    defaults.idle_timeout_ms = 0;  // none unless asked
    samples::ServerArgs args = samples::parse_server_args(argc, argv, "chat_server", defaults);
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(args.threads).enable_all().build();
    // The channel's first Receiver is dropped: connections subscribe their
    // own. Its capacity is how far a client may fall behind (see the top).
    Room room = pollen::broadcast::channel<ChatMsg>(kRoomCapacity).first;
    options.on_shutdown = [](int, std::size_t live) {
        std::fprintf(stderr, "chat_server: shutting down, %zu client(s) connected\n", live);
    };
    // Called on the serving task, one connection at a time: the ids need no atomic.
    auto handler = [room, shutdown = options.shutdown, next_id = std::uint64_t{0},
                    idle = args.idle_timeout()](
                       pollen::net::TcpStream stream, pollen::net::SocketAddr) mutable {
        (void)stream.set_nodelay(true);
        // The connection subscribes now, in accept order: it sees every
        // message sent after this point.
        return ChatConnection(++next_id, std::move(stream), room, shutdown, idle);
    };
    return samples::run_server(rt, args, "chat_server", handler, options);
}
