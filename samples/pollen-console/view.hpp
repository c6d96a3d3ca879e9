#pragma once
// pollen-console's screens, drawn from a Snapshot into text: the top-like
// overview (runtime, workers, warnings, the task table), a task's detail
// with its poll-time histogram, and the task dump. Pure functions of the
// snapshot and the ViewState, so --once prints the very screen the live
// view shows.

#include <cstdint>
#include <string>

#include "snapshot.hpp"

namespace console {

enum class SortKey { Busy, Polls, Wakes, Id, Name };
const char* to_string(SortKey k);
/// "busy", "polls", "wakes", "id", "name"; false when `s` is none of them.
bool parse_sort_key(const std::string& s, SortKey& out);

struct ViewState {
    enum class Mode { Tasks, Detail, Dump } mode = Mode::Tasks;
    SortKey sort = SortKey::Busy;
    std::uint64_t selected = 0;  // a task id; 0: the first row
    int first_row = 0;           // the task table's scroll position
    int dump_scroll = 0;
    std::string dump_text;
    std::string interval;  // shown in the title, e.g. "1s"
};

/// The screen for `rows` x `cols` (rows <= 0: as long as needed, for
/// --once); `ansi` adds bold, colours and the selection's reverse video.
std::string render(const Snapshot& s, ViewState& v, int rows, int cols, bool ansi);

/// Moves the selection by `delta` rows of the table in its current order.
void move_selection(const Snapshot& s, ViewState& v, int delta);

}  // namespace console
