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
// Here that loop is the hand-written future ChatConnection: its poll tries
// both sources, and whichever is ready makes progress; when neither is, both
// have stored the task's waker and it returns Pending. That is all select is.
#include <pollen.hpp>

#include "idle_timer.hpp"
#include "server_args.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>

using pollen::Context;
using pollen::Poll;

namespace {

/// What travels on the broadcast channel: who sent it (so a connection does
/// not echo its own lines back) and the text, newline included.
struct ChatMsg {
    std::uint64_t from = 0;
    std::string text;
};
using Room = pollen::broadcast::Sender<ChatMsg>;
/// The messages the room keeps: how far behind a client may fall.
constexpr std::size_t kRoomCapacity = 64;
/// What a newcomer past --max-connections reads before the connection closes.
constexpr const char* kRoomFull = "*** the room is full, try again later\n";

/// One client. Not moved after its first poll (the line stream borrows reader_).
class ChatConnection : public pollen::FutureExt<ChatConnection> {
public:
    using Output = void;

    ChatConnection(std::uint64_t id, pollen::net::TcpStream stream, Room room,
                   const pollen::CancellationToken& shutdown, pollen::time::Duration idle_limit)
        : id_(id), reader_(std::move(stream)), room_(std::move(room)), rx_(room_.subscribe()),
          shutdown_(shutdown.cancelled()), idle_(idle_limit) {}

    Poll<void> poll(Context& cx) {
        if (!lines_) lines_.emplace(reader_, kMaxLine);  // borrows reader_, now at its final place
        for (;;) {
            if (shutdown_.poll(cx).is_ready()) return pollen::ready();  // the server is stopping
            // Branch 1 of the select: write what is queued for this client,
            // then take the next room message (once the client has a name).
            if (!flush(cx)) return leave();
            if (written_ == out_.size() && name_) {
                if (recv_.is_empty()) recv_.emplace(rx_.recv());
                auto p = recv_.poll(cx);
                if (p.is_ready()) {
                    auto r = p.take();
                    if (r.is_ok()) {
                        if (r.value().from != id_) queue(r.value().text);
                    } else if (r.error().is_lagged()) {
                        queue("*** you missed " + std::to_string(r.error().lagged) + " messages\n");
                    } else {
                        return pollen::ready();  // the room is closed
                    }
                    continue;
                }
            }
            // Branch 2: the next line from the client (Rust's `lines.next_line()`).
            auto p = lines_->poll_next(cx);
            if (p.is_pending()) {
                // Both branches wait: wake on either, or on the idle timeout.
                if (idle_.poll_expired(cx)) return leave();
                return pollen::pending;
            }
            auto item = p.take();
            if (!item || item->is_err()) return leave();  // end of stream, reset, or a huge line
            idle_.touch();
            std::string line = std::move(item->value());
            if (!name_) {
                name_ = line.empty() ? "guest" + std::to_string(id_) : line;
                queue("*** welcome, " + *name_ + "\n");
                publish("*** " + *name_ + " joined\n");
            } else {
                publish(*name_ + ": " + line + "\n");
            }
        }
    }

private:
    static constexpr std::size_t kMaxLine = 4096;

    void queue(std::string text) {
        if (written_ == out_.size()) {
            out_.clear();
            written_ = 0;
        }
        out_ += text;
    }
    /// broadcast's send never waits; with no receiver it fails, which is fine.
    void publish(std::string text) { (void)room_.send(ChatMsg{id_, std::move(text)}); }

    /// Writes as much of out_ as the socket takes; false on a write error.
    bool flush(Context& cx) {
        while (written_ < out_.size()) {
            std::span<const std::byte> rest(reinterpret_cast<const std::byte*>(out_.data()) + written_,
                                            out_.size() - written_);
            auto p = reader_.get_mut().poll_write(cx, rest);
            if (p.is_pending()) return true;  // the socket is full; it wakes us when it drains
            auto r = p.take();
            if (r.is_err() || r.value() == 0) return false;
            written_ += r.value();
            idle_.touch();
        }
        return true;
    }

    Poll<void> leave() {
        if (name_) publish("*** " + *name_ + " left\n");
        return pollen::ready();
    }

    std::uint64_t id_;
    pollen::io::BufReader<pollen::net::TcpStream> reader_;  // reads buffered; writes go to get_mut()
    std::optional<pollen::io::Lines<pollen::io::BufReader<pollen::net::TcpStream>&>> lines_;
    Room room_;
    pollen::broadcast::Receiver<ChatMsg> rx_;
    pollen::Slot<pollen::broadcast::Recv<ChatMsg>> recv_;
    pollen::WaitForCancellation shutdown_;
    samples::IdleTimer idle_;
    std::optional<std::string> name_;
    std::string out_;
    std::size_t written_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    pollen::net::ServeOptions options;  // SIGINT/SIGTERM end every connection at its next poll
    options.reject_when_full = kRoomFull;
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
