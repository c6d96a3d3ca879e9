// pollen-console: a live, top-like view of a running pollen program
// (docs/console.md), as tokio-console is for Tokio. The program opts in
// with Builder::console(true) or POLLEN_CONSOLE=1; this attaches to its
// Unix socket.
//
//   pollen-console                  lists the programs it can attach to
//   pollen-console PID|SOCKET       the live view, refreshed every second
//   pollen-console --once PID       one screen as text, then exits
//   pollen-console --json PID       one snapshot as the protocol's JSON line
//   pollen-console --dump PID       the task dump (Runtime::dump)
//
// Options: --interval MS (live refresh, default 1000), --sort
// busy|polls|wakes|id|name, --width N (--once; default 160).
//
// Keys: up/down or j/k select, PageUp/PageDown, Enter a task's detail (its
// poll-time histogram), Esc or Backspace back, b/p/w/i/n sort by busy time /
// polls / wakes / id / name, s the next sort, d the task dump, r refresh
// now, q (or ^C) quit.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "connection.hpp"
#include "snapshot.hpp"
#include "terminal.hpp"
#include "view.hpp"

namespace {

int usage() {
    std::fprintf(stderr,
                 "usage: pollen-console [--once|--json|--dump] [--interval MS] [--sort busy|polls|wakes|id|name]\n"
                 "                      [--width N] [PID|SOCKET]\n"
                 "With no PID or SOCKET, lists the programs serving a console.\n");
    return 2;
}

int list() {
    auto all = console::list_attachable();
    if (all.empty()) {
        std::printf("no pollen program serves a console (start one with POLLEN_CONSOLE=1)\n");
        return 0;
    }
    std::printf("%8s  %-16s  %s\n", "PID", "PROGRAM", "SOCKET");
    for (const auto& a : all) std::printf("%8d  %-16s  %s\n", a.pid, a.program.c_str(), a.socket.c_str());
    return 0;
}

bool handle_key(const console::Key& key, const console::Snapshot& snap, console::ViewState& v,
                console::Connection& conn, int rows, bool& refresh) {
    using console::KeyKind;
    using Mode = console::ViewState::Mode;
    int page = std::max(1, rows - 16);
    if (key.kind == KeyKind::Char && key.ch == 'q') return false;
    if (key.kind == KeyKind::Escape || key.kind == KeyKind::Backspace) {
        v.mode = Mode::Tasks;
        return true;
    }
    if (v.mode == Mode::Dump) {
        if (key.kind == KeyKind::Up || (key.kind == KeyKind::Char && key.ch == 'k')) --v.dump_scroll;
        if (key.kind == KeyKind::Down || (key.kind == KeyKind::Char && key.ch == 'j')) ++v.dump_scroll;
        if (key.kind == KeyKind::PageUp) v.dump_scroll -= page;
        if (key.kind == KeyKind::PageDown) v.dump_scroll += page;
        return true;
    }
    switch (key.kind) {
        case KeyKind::Up: console::move_selection(snap, v, -1); return true;
        case KeyKind::Down: console::move_selection(snap, v, 1); return true;
        case KeyKind::PageUp: console::move_selection(snap, v, -page); return true;
        case KeyKind::PageDown: console::move_selection(snap, v, page); return true;
        case KeyKind::Home: console::move_selection(snap, v, -1'000'000); return true;
        case KeyKind::End: console::move_selection(snap, v, 1'000'000); return true;
        case KeyKind::Enter: v.mode = Mode::Detail; return true;
        default: break;
    }
    if (key.kind != KeyKind::Char) return true;
    switch (key.ch) {
        case 'k': console::move_selection(snap, v, -1); break;
        case 'j': console::move_selection(snap, v, 1); break;
        case 'b': v.sort = console::SortKey::Busy; break;
        case 'p': v.sort = console::SortKey::Polls; break;
        case 'w': v.sort = console::SortKey::Wakes; break;
        case 'i': v.sort = console::SortKey::Id; break;
        case 'n': v.sort = console::SortKey::Name; break;
        case 's': v.sort = console::SortKey((int(v.sort) + 1) % 5); break;
        case 'r': refresh = true; break;
        case 'd':
            v.dump_text = console::parse_dump(conn.ask("dump"));
            v.dump_scroll = 0;
            v.mode = Mode::Dump;
            break;
        default: break;
    }
    return true;
}

int live(console::Connection& conn, console::ViewState v, std::chrono::milliseconds interval) {
    using Clock = std::chrono::steady_clock;
    std::string error;
    {
        console::Terminal term;
        console::Snapshot snap = console::parse_snapshot(conn.ask("snapshot"));
        auto next = Clock::now() + interval;
        for (;;) {
            int rows = term.rows();
            term.draw(console::render(snap, v, rows, term.cols(), true));
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
            bool refresh = left.count() <= 0;
            if (!refresh) {
                if (auto key = term.read_key(left)) {
                    try {
                        if (!handle_key(*key, snap, v, conn, rows, refresh)) break;
                    } catch (const std::exception& e) {
                        error = e.what();
                        break;
                    }
                }
            }
            if (refresh || Clock::now() >= next) {
                try {
                    snap = console::parse_snapshot(conn.ask("snapshot"));
                } catch (const std::exception& e) {
                    error = e.what();
                    break;
                }
                next = Clock::now() + interval;
            }
        }
    }  // the terminal is restored before the message
    if (!error.empty()) {
        std::fprintf(stderr, "pollen-console: %s\n", error.c_str());
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    enum { Live, Once, Json, Dump } mode = Live;
    std::string target;
    console::ViewState view;
    long interval_ms = 1000;
    int width = 160;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--once") mode = Once;
        else if (a == "--json") mode = Json;
        else if (a == "--dump") mode = Dump;
        else if (a == "--interval" && i + 1 < argc) interval_ms = std::max(50L, std::atol(argv[++i]));
        else if (a == "--width" && i + 1 < argc) width = std::max(40, std::atoi(argv[++i]));
        else if (a == "--sort" && i + 1 < argc) {
            if (!console::parse_sort_key(argv[++i], view.sort)) return usage();
        } else if (a == "-h" || a == "--help") {
            usage();
            return 0;
        } else if (!a.empty() && a[0] != '-' && target.empty()) target = a;
        else return usage();
    }
    if (target.empty()) return mode == Live ? list() : usage();
    try {
        console::Connection conn(console::socket_for(target));
        switch (mode) {
            case Json: std::printf("%s\n", conn.ask("snapshot").c_str()); return 0;
            case Dump: std::printf("%s", console::parse_dump(conn.ask("dump")).c_str()); return 0;
            case Once: {
                auto snap = console::parse_snapshot(conn.ask("snapshot"));
                std::printf("%s\n", console::render(snap, view, 0, width, false).c_str());
                return 0;
            }
            case Live: break;
        }
        char buf[32];
        std::snprintf(buf, sizeof buf, interval_ms % 1000 ? "%ldms" : "%lds",
                      interval_ms % 1000 ? interval_ms : interval_ms / 1000);
        view.interval = buf;
        return live(conn, view, std::chrono::milliseconds(interval_ms));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pollen-console: %s\n", e.what());
        return 1;
    }
}
