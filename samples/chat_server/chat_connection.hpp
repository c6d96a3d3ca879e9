#pragma once
// ChatConnection: one client of chat_server (samples/chat_server/main.cpp
// says what the server does; this is the select loop of one connection),
// and the room it talks in. A header of its own so that tests can serve it
// elsewhere too (test/sim_samples_test.cpp runs it on a simulated network).
// It must not be moved after its first poll; it runs on any runtime thread,
// one poll at a time, as any task.
#include <pollen.hpp>

#include "../idle_timer.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace chat {

using pollen::Context;
using pollen::Poll;

/// What travels on the broadcast channel: who sent it (so a connection does
/// not echo its own lines back) and the text, newline included.
struct ChatMsg {
    std::uint64_t from = 0;
    std::string text;
};
using Room = pollen::broadcast::Sender<ChatMsg>;
/// The messages the room keeps: how far behind a client may fall.
inline constexpr std::size_t kRoomCapacity = 64;
/// What a newcomer past --max-connections reads before the connection closes.
inline constexpr const char* kRoomFull = "*** the room is full, try again later\n";

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

}  // namespace chat
