#include "view.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <pollen/runtime/detail/human_duration.hpp>
#include <pollen/runtime/duration_histogram.hpp>

namespace console {

namespace {

const char* const kBold = "\x1b[1m";
const char* const kReverse = "\x1b[7m";
const char* const kRed = "\x1b[31m";
const char* const kYellow = "\x1b[33m";
const char* const kReset = "\x1b[0m";

std::string dur(std::int64_t ns) { return ns < 0 ? "-" : pollen::detail::human_duration(std::chrono::nanoseconds(ns)); }

// `s` cut or padded to `width` columns (UTF-8 aware enough for names).
std::string fit(const std::string& s, std::size_t width, bool right = false) {
    std::size_t cols = 0, i = 0;
    for (; i < s.size() && cols < width; ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++cols;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    std::string cut = s.substr(0, i);
    if (cols < width) cut = right ? std::string(width - cols, ' ') + cut : cut + std::string(width - cols, ' ');
    return cut;
}

std::string num(std::uint64_t n) { return std::to_string(n); }

std::vector<const Task*> ordered(const Snapshot& s, SortKey k) {
    std::vector<const Task*> out;
    for (const Task& t : s.tasks) out.push_back(&t);
    auto key = [k](const Task* t) -> std::int64_t {
        switch (k) {
            case SortKey::Busy: return t->busy_ns;
            case SortKey::Polls: return std::int64_t(t->polls);
            case SortKey::Wakes: return std::int64_t(t->wakes);
            default: return 0;
        }
    };
    std::stable_sort(out.begin(), out.end(), [&](const Task* a, const Task* b) {
        if (k == SortKey::Id) return a->id < b->id;
        if (k == SortKey::Name) return a->name != b->name ? a->name < b->name : a->id < b->id;
        return key(a) != key(b) ? key(a) > key(b) : a->id < b->id;  // most first
    });
    return out;
}

int selected_index(const std::vector<const Task*>& rows, std::uint64_t id) {
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i]->id == id) return int(i);
    return 0;
}

bool warned(const Snapshot& s, std::uint64_t id) {
    return std::any_of(s.warnings.begin(), s.warnings.end(), [&](const Warning& w) { return w.task == id; });
}

struct Screen {
    std::vector<std::string> lines;
    int cols;
    bool ansi;
    void add(const std::string& text, const char* style = nullptr) {
        std::string l = fit(text, std::size_t(std::max(cols, 1)));
        while (!l.empty() && l.back() == ' ') l.pop_back();
        if (ansi && style) l = style + l + kReset;
        lines.push_back(std::move(l));
    }
};

void header(const Snapshot& s, const ViewState& v, Screen& out) {
    out.add("pollen-console  " + s.program + " (pid " + std::to_string(s.pid) + ")  " + s.flavor +
                (v.interval.empty() ? "" : "  refresh " + v.interval),
            kBold);
    out.add("Runtime: " + num(s.workers) + " workers  tasks " + num(s.tasks_alive) + " alive / " +
            num(s.tasks_spawned) + " spawned  polls " + num(s.polls) + "  steals " + num(s.steals) + "  parks " +
            num(s.parks) + "  inject " + num(s.global_queue_depth) + "  blocking " + num(s.blocking_threads) +
            " (queued " + num(s.blocking_queue_depth) + ")  lost wakers " + num(s.lost_waker_count));
    for (std::size_t i = 0; i < s.per_worker.size() && i < 8; ++i) {
        const Worker& w = s.per_worker[i];
        out.add("  worker " + fit(std::to_string(i), 2) + " polls " + fit(num(w.polls), 9, true) + "  steals " +
                fit(num(w.steals), 7, true) + " (" + num(w.stolen_tasks) + " tasks)  parks " + num(w.parks));
    }
    if (s.per_worker.size() > 8) out.add("  ... " + num(s.per_worker.size() - 8) + " more workers");
}

void warnings(const Snapshot& s, Screen& out, std::size_t most) {
    if (s.warnings.empty()) {
        out.add("Warnings: none");
        return;
    }
    out.add("Warnings (" + num(s.warnings.size()) + "):", kBold);
    for (std::size_t i = 0; i < s.warnings.size() && i < most; ++i)
        out.add(" ! " + s.warnings[i].kind + ": " + s.warnings[i].message,
                s.warnings[i].kind == "lost_waker" || s.warnings[i].kind == "no_waker" ? kRed : kYellow);
    if (s.warnings.size() > most) out.add(" ... " + num(s.warnings.size() - most) + " more");
}

std::string task_row(const Snapshot& s, const Task& t, bool selected) {
    std::string state = t.state + (t.cancelling ? "*" : "");
    std::string loc = t.file + ":" + std::to_string(t.line);
    return std::string(selected ? ">" : " ") + (warned(s, t.id) ? "!" : " ") + fit(num(t.id), 5, true) + "  " +
           fit(t.name.empty() ? "-" : t.name, 16) + " " + fit(state, 10) + fit(num(t.polls), 8, true) +
           fit(dur(t.busy_ns), 10, true) + fit(dur(t.scheduled_ns), 10, true) + fit(dur(t.idle_ns), 10, true) +
           fit(num(t.wakes), 8, true) + fit(num(t.self_wakes), 8, true) +
           fit(std::to_string(std::int64_t(t.waker_clones - t.waker_drops)), 7, true) + "  " + loc;
}

void tasks_screen(const Snapshot& s, ViewState& v, int rows, Screen& out) {
    header(s, v, out);
    warnings(s, out, 6);
    auto order = ordered(s, v.sort);
    int sel = selected_index(order, v.selected);
    if (!order.empty()) v.selected = order[std::size_t(sel)]->id;
    out.add("");
    out.add("Tasks (" + num(order.size()) + "), sorted by " + to_string(v.sort), kBold);
    out.add("  " + fit("ID", 5, true) + "  " + fit("NAME", 16) + " " + fit("STATE", 10) + fit("POLLS", 8, true) +
                fit("BUSY", 10, true) + fit("SCHED", 10, true) + fit("IDLE", 10, true) + fit("WAKES", 8, true) +
                fit("SELF", 8, true) + fit("WAKERS", 7, true) + "  LOCATION",
            kBold);
    int room = rows > 0 ? std::max(1, rows - int(out.lines.size()) - 1) : int(order.size());
    if (sel < v.first_row) v.first_row = sel;
    if (sel >= v.first_row + room) v.first_row = sel - room + 1;
    v.first_row = std::max(0, std::min(v.first_row, std::max(0, int(order.size()) - room)));
    for (int i = v.first_row; i < int(order.size()) && i < v.first_row + room; ++i)
        out.add(task_row(s, *order[std::size_t(i)], i == sel), i == sel && out.ansi ? kReverse : nullptr);
    if (rows > 0) {
        while (int(out.lines.size()) < rows - 1) out.add("");
        out.add("keys: up/down j/k select  Enter detail  b busy  p polls  w wakes  i id  n name  s next sort  "
                "d dump  q quit",
                kBold);
    }
}

void histogram(const std::vector<std::uint64_t>& counts, Screen& out, int width) {
    std::size_t first = counts.size(), last = 0;
    std::uint64_t most = 0;
    for (std::size_t i = 0; i < counts.size(); ++i)
        if (counts[i]) {
            first = std::min(first, i);
            last = i;
            most = std::max(most, counts[i]);
        }
    if (most == 0) {
        out.add("  (no polls yet)");
        return;
    }
    int bar_width = std::max(10, width - 40);
    using H = pollen::DurationHistogram;
    for (std::size_t i = first; i <= last; ++i) {
        std::string from = pollen::detail::human_duration(H::bucket_start(i));
        std::string to = i + 1 >= H::kBuckets ? "..." : pollen::detail::human_duration(H::bucket_end(i));
        int len = int((counts[i] * std::uint64_t(bar_width) + most - 1) / most);
        out.add("  " + fit(from, 8, true) + " .. " + fit(to, 8) + " |" + fit(std::string(std::size_t(len), '#'),
                std::size_t(bar_width)) + "| " + num(counts[i]));
    }
}

void detail_screen(const Snapshot& s, ViewState& v, int rows, Screen& out) {
    auto it = std::find_if(s.tasks.begin(), s.tasks.end(), [&](const Task& t) { return t.id == v.selected; });
    if (it == s.tasks.end()) {
        out.add("Task " + num(v.selected) + " is gone (finished and no longer remembered).", kBold);
    } else {
        const Task& t = *it;
        out.add("Task " + num(t.id) + (t.name.empty() ? "" : " \"" + t.name + "\"") + "  " + t.state +
                    (t.cancelling ? " (cancelling)" : "") + "  spawned at " + t.file + ":" + std::to_string(t.line),
                kBold);
        if (!t.has_stats) out.add("  no statistics for this task (a runtime without task_stats)");
        out.add("  polls " + num(t.polls) + "   busy " + dur(t.busy_ns) + "   scheduled " + dur(t.scheduled_ns) +
                "   idle " + dur(t.idle_ns) + "   total " + dur(t.total_ns));
        std::string self_pct = t.polls ? " (" + num(t.self_wakes * 100 / t.polls) + "% of polls)" : "";
        out.add("  wakes " + num(t.wakes) + "   self-wakes " + num(t.self_wakes) + self_pct + "   wakers: " +
                num(t.waker_clones) + " cloned, " + num(t.waker_drops) + " dropped, " +
                std::to_string(std::int64_t(t.waker_clones - t.waker_drops)) + " alive");
        out.add("  last wake " + (t.since_wake_ns < 0 ? std::string("never") : dur(t.since_wake_ns) + " ago") +
                "   last poll started " + (t.since_poll_ns < 0 ? std::string("never") : dur(t.since_poll_ns) + " ago") +
                (t.running_for_ns >= 0 ? "   in a poll for " + dur(t.running_for_ns) : ""));
        out.add("");
        out.add("Poll times (" + num(t.polls) + " polls):", kBold);
        histogram(t.poll_times, out, out.cols);
        std::vector<Warning> mine;
        for (const Warning& w : s.warnings)
            if (w.task == t.id) mine.push_back(w);
        out.add("");
        if (mine.empty()) out.add("Warnings: none");
        else {
            out.add("Warnings:", kBold);
            for (const Warning& w : mine) out.add(" ! " + w.kind + ": " + w.message, kYellow);
        }
    }
    if (rows > 0) {
        while (int(out.lines.size()) < rows - 1) out.add("");
        out.add("keys: Esc/Backspace back  up/down j/k previous/next task  q quit", kBold);
    }
    (void)v;
}

void dump_screen(ViewState& v, int rows, Screen& out) {
    out.add("Task dump (Runtime::dump)", kBold);
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < v.dump_text.size()) {
        std::size_t eol = v.dump_text.find('\n', start);
        if (eol == std::string::npos) eol = v.dump_text.size();
        lines.push_back(v.dump_text.substr(start, eol - start));
        start = eol + 1;
    }
    int room = rows > 0 ? std::max(1, rows - 2) : int(lines.size());
    v.dump_scroll = std::max(0, std::min(v.dump_scroll, std::max(0, int(lines.size()) - room)));
    for (int i = v.dump_scroll; i < int(lines.size()) && i < v.dump_scroll + room; ++i) out.add(lines[std::size_t(i)]);
    if (rows > 0) {
        while (int(out.lines.size()) < rows - 1) out.add("");
        out.add("keys: Esc/Backspace back  up/down scroll  q quit", kBold);
    }
}

}  // namespace

const char* to_string(SortKey k) {
    switch (k) {
        case SortKey::Busy: return "busy";
        case SortKey::Polls: return "polls";
        case SortKey::Wakes: return "wakes";
        case SortKey::Id: return "id";
        case SortKey::Name: return "name";
    }
    return "?";
}

bool parse_sort_key(const std::string& s, SortKey& out) {
    for (SortKey k : {SortKey::Busy, SortKey::Polls, SortKey::Wakes, SortKey::Id, SortKey::Name})
        if (s == to_string(k)) {
            out = k;
            return true;
        }
    return false;
}

void move_selection(const Snapshot& s, ViewState& v, int delta) {
    auto order = ordered(s, v.sort);
    if (order.empty()) return;
    int i = selected_index(order, v.selected) + delta;
    i = std::max(0, std::min(i, int(order.size()) - 1));
    v.selected = order[std::size_t(i)]->id;
}

std::string render(const Snapshot& s, ViewState& v, int rows, int cols, bool ansi) {
    Screen out{{}, cols, ansi};
    switch (v.mode) {
        case ViewState::Mode::Tasks: tasks_screen(s, v, rows, out); break;
        case ViewState::Mode::Detail: detail_screen(s, v, rows, out); break;
        case ViewState::Mode::Dump: dump_screen(v, rows, out); break;
    }
    if (rows > 0 && int(out.lines.size()) > rows) out.lines.resize(std::size_t(rows));
    std::string frame;
    for (std::size_t i = 0; i < out.lines.size(); ++i) frame += (i ? "\n" : "") + out.lines[i];
    return frame;
}

}  // namespace console
