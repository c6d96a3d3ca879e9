// trace_timeline: draws a pollen trace (Builder::trace, POLLEN_TRACE=FILE:
// Chrome trace-event JSON) as one self-contained HTML page, a picture that
// opens offline in any browser, without Perfetto.
//
//     build/samples/trace_timeline trace.json timeline.html
//
// One track per thread (workers, block_on's thread, the blocking pool's),
// one slice per poll coloured and labelled by task (hover for name, id,
// duration and spawn location), ticks for spawns, wakes and timer firings,
// and a line from each wake to the poll it caused. Static SVG: no script,
// so what a browser shows is exactly what this program wrote.
//
// The layout is fixed (tests render the page in headless Chromium and read
// its pixels): tracks start at x = kLeft, the first at y = kTop, kRow apart.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../html_escape.hpp"

namespace {

using samples::html_escape;

constexpr double kLeft = 220;   // track labels left of this
constexpr double kWidth = 1360;  // the time axis
constexpr double kTop = 70;
constexpr double kRow = 40;
constexpr double kSliceTop = 8, kSliceHeight = 24;
constexpr const char* kTrackFill = "#e8ecf2";
constexpr std::size_t kMaxFlows = 5000;  // more lines than that are noise

struct Slice {
    double ts, dur;
    long tid;
    std::string cat, name, args_text;
    long long task = -1;
};
struct Flow {
    double ts;
    long tid;
};


/// A task's colour: the same task (by name, or by id when unnamed) always
/// gets the same one of a palette chosen to stay apart from the track's grey.
std::string colour_of(const std::string& label) {
    static const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
                                    "#8c564b", "#e377c2", "#bcbd22", "#3b4cc0", "#b40426", "#006d2c"};
    std::size_t h = 1469598103934665603ull;
    for (unsigned char c : label) h = (h ^ c) * 1099511628211ull;
    return palette[h % (sizeof palette / sizeof palette[0])];
}

std::string fmt_us(double us) {
    char buf[32];
    if (us < 1) std::snprintf(buf, sizeof buf, "%.0f ns", us * 1000);
    else if (us < 1000) std::snprintf(buf, sizeof buf, "%.1f us", us);
    else if (us < 1e6) std::snprintf(buf, sizeof buf, "%.2f ms", us / 1000);
    else std::snprintf(buf, sizeof buf, "%.2f s", us / 1e6);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: trace_timeline TRACE.json [OUT.html]   (stdout without OUT)\n";
        return 2;
    }
    nlohmann::json doc;
    try {
        std::ifstream in(argv[1]);
        if (!in) throw std::runtime_error(std::string("cannot open ") + argv[1]);
        doc = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        std::cerr << "trace_timeline: " << e.what() << "\n";
        return 1;
    }

    std::vector<Slice> slices;
    std::map<long, std::string> thread_names;
    std::map<unsigned long long, Flow> flow_start, flow_end;
    std::vector<long> track_order;  // tids, by their first event
    std::set<long> seen;
    for (const auto& e : doc.value("traceEvents", nlohmann::json::array())) {
        std::string ph = e.value("ph", "");
        long tid = e.value("tid", 0L);
        if (ph == "M") {
            if (e.value("name", "") == "thread_name") thread_names[tid] = e["args"].value("name", "");
            continue;
        }
        if (ph == "s" || ph == "f") {
            (ph == "s" ? flow_start : flow_end)[e.value("id", 0ull)] = Flow{e.value("ts", 0.0), tid};
            continue;
        }
        if (ph != "X") continue;
        Slice s{e.value("ts", 0.0), e.value("dur", 0.0), tid, e.value("cat", ""), e.value("name", ""), "", -1};
        if (e.contains("args")) {
            s.task = e["args"].value("task", -1LL);
            s.args_text = e["args"].value("spawned_at", "");
        }
        slices.push_back(s);
    }
    std::sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) { return a.ts < b.ts; });
    for (const Slice& s : slices)
        if (seen.insert(s.tid).second) track_order.push_back(s.tid);

    double t0 = 0, t1 = 1;
    if (!slices.empty()) {
        t0 = slices.front().ts;
        t1 = t0;
        for (const Slice& s : slices) t1 = std::max(t1, s.ts + s.dur);
        if (t1 <= t0) t1 = t0 + 1;
    }
    double scale = kWidth / (t1 - t0);
    auto x_of = [&](double ts) { return kLeft + (ts - t0) * scale; };
    std::map<long, std::size_t> row_of;
    for (std::size_t i = 0; i < track_order.size(); ++i) row_of[track_order[i]] = i;
    auto y_of = [&](long tid) { return kTop + double(row_of[tid]) * kRow; };
    double height = kTop + double(track_order.size()) * kRow + 40;

    std::ostringstream o;
    o << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>pollen timeline</title>\n"
      << "<style>body{margin:0;font:12px sans-serif;background:#fff}svg text{font:12px sans-serif}"
      << ".slice:hover{stroke:#000;stroke-width:1}</style></head><body>\n";
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kLeft + kWidth + 20 << "\" height=\"" << height
      << "\">\n";
    o << "<text x=\"10\" y=\"20\" font-weight=\"bold\">pollen timeline: " << slices.size() << " events, "
      << track_order.size() << " threads, " << fmt_us(t1 - t0) << " (" << html_escape(argv[1]) << ")</text>\n";
    // The time axis: ten ticks.
    for (int i = 0; i <= 10; ++i) {
        double x = kLeft + kWidth * i / 10;
        o << "<line x1=\"" << x << "\" y1=\"40\" x2=\"" << x << "\" y2=\"" << height - 30
          << "\" stroke=\"#d0d4da\" stroke-width=\"1\"/><text x=\"" << x + 2 << "\" y=\"52\" fill=\"#555\">+"
          << fmt_us((t1 - t0) * i / 10) << "</text>\n";
    }
    for (long tid : track_order) {
        double y = y_of(tid);
        std::string name = thread_names.count(tid) ? thread_names[tid] : "thread";
        o << "<rect class=\"track\" data-tid=\"" << tid << "\" x=\"" << kLeft << "\" y=\"" << y << "\" width=\""
          << kWidth << "\" height=\"" << kRow - 4 << "\" fill=\"" << kTrackFill << "\"/>"
          << "<text x=\"10\" y=\"" << y + 22 << "\">" << html_escape(name) << " (tid " << tid << ")</text>\n";
    }
    for (const Slice& s : slices) {
        double x = x_of(s.ts), y = y_of(s.tid);
        if (s.cat == "poll" || s.cat == "blocking") {
            double w = std::max(1.0, s.dur * scale);
            std::string fill = colour_of(s.name);
            o << "<rect class=\"slice\" data-task=\"" << html_escape(s.name) << "\" data-cat=\"" << s.cat << "\" x=\"" << x
              << "\" y=\"" << y + kSliceTop << "\" width=\"" << w << "\" height=\"" << kSliceHeight << "\" fill=\""
              << fill << "\"" << (s.cat == "blocking" ? " stroke=\"#000\" stroke-dasharray=\"3 2\"" : "")
              << "><title>" << html_escape(s.name) << " (task " << s.task << ", " << s.cat << ")\n"
              << fmt_us(s.dur) << " at +" << fmt_us(s.ts - t0) << "\nspawned at " << html_escape(s.args_text)
              << "</title></rect>";
            if (w > 60)
                o << "<text x=\"" << x + 3 << "\" y=\"" << y + kSliceTop + 16 << "\" fill=\"#fff\" "
                  << ">" << html_escape(s.name.substr(0, std::size_t(w / 7))) << "</text>";
            o << "\n";
        } else {
            // Spawns, wakes and timer firings: ticks above the slices.
            const char* colour = s.cat == "timer" ? "#e6550d" : s.cat == "spawn" ? "#31a354" : "#333";
            o << "<line class=\"" << html_escape(s.cat) << "\" x1=\"" << x << "\" y1=\"" << y << "\" x2=\"" << x
              << "\" y2=\"" << y + kSliceTop << "\" stroke=\"" << colour << "\" stroke-width=\"1\"><title>"
              << html_escape(s.name) << " at +" << fmt_us(s.ts - t0) << "</title></line>\n";
        }
    }
    std::size_t flows = 0;
    for (const auto& [id, from] : flow_start) {
        auto to = flow_end.find(id);
        if (to == flow_end.end() || !row_of.count(from.tid) || !row_of.count(to->second.tid)) continue;
        if (++flows > kMaxFlows) break;
        o << "<line class=\"flow\" x1=\"" << x_of(from.ts) << "\" y1=\"" << y_of(from.tid) + 4 << "\" x2=\""
          << x_of(to->second.ts) << "\" y2=\"" << y_of(to->second.tid) + kSliceTop
          << "\" stroke=\"#555\" stroke-opacity=\"0.35\" stroke-width=\"1\"/>\n";
    }
    o << "<text x=\"10\" y=\"" << height - 10 << "\" fill=\"#555\">Slices: polls (dashed: blocking pool). "
      << "Ticks: green spawn, black wake, orange timers fired. Lines: from a wake to the poll it caused.</text>\n";
    o << "</svg>\n</body></html>\n";

    if (argc == 3) {
        std::ofstream out(argv[2]);
        out << o.str();
        if (!out) {
            std::cerr << "trace_timeline: cannot write " << argv[2] << "\n";
            return 1;
        }
    } else {
        std::cout << o.str();
    }
    return 0;
}
