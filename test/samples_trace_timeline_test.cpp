// samples/trace_timeline: a trace recorded by a real runtime is drawn as
// HTML, rendered by headless Chromium, and the screenshot's pixels must show
// one track per thread that polled (the track grey, where the page says
// the tracks are) and the tasks' poll slices in their colours.
#include <gtest/gtest.h>
#include <png.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <pollen.hpp>

#include "support/sample_process.hpp"

using namespace pollen;
using namespace std::chrono_literals;
using pollen::test_support::run_command;
using pollen::test_support::sample_path;

namespace {

struct Rgb {
    int r, g, b;
};

Rgb parse_hex(const std::string& hex) {
    return {std::stoi(hex.substr(1, 2), nullptr, 16), std::stoi(hex.substr(3, 2), nullptr, 16),
            std::stoi(hex.substr(5, 2), nullptr, 16)};
}

bool near(Rgb a, Rgb b) { return std::abs(a.r - b.r) <= 12 && std::abs(a.g - b.g) <= 12 && std::abs(a.b - b.b) <= 12; }

/// A PNG read with libpng's simplified API, as 8-bit RGB.
struct Image {
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;
    explicit Image(const std::string& path) {
        png_image img{};
        img.version = PNG_IMAGE_VERSION;
        if (!png_image_begin_read_from_file(&img, path.c_str())) return;
        img.format = PNG_FORMAT_RGB;
        rgb.resize(PNG_IMAGE_SIZE(img));
        if (!png_image_finish_read(&img, nullptr, rgb.data(), 0, nullptr)) {
            rgb.clear();
            return;
        }
        width = int(img.width);
        height = int(img.height);
    }
    Rgb at(double x, double y) const {
        std::size_t i = (std::size_t(y) * std::size_t(width) + std::size_t(x)) * 3;
        return {rgb[i], rgb[i + 1], rgb[i + 2]};
    }
};

struct Box {
    double x, y, w, h;
    std::string label, fill;
};

std::vector<Box> boxes(const std::string& html, const std::regex& re, bool with_label) {
    std::vector<Box> out;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        Box b{std::stod(m[2]), std::stod(m[3]), std::stod(m[4]), std::stod(m[5]), m[1], with_label ? m[6].str() : std::string()};
        out.push_back(b);
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

auto spin(std::chrono::milliseconds d) {
    return future::lazy([d] {
        auto until = std::chrono::steady_clock::now() + d;
        while (std::chrono::steady_clock::now() < until) {
        }
    });
}

}  // namespace

TEST(SamplesTraceTimeline, ChromiumShowsOneTrackPerThreadAndTheTasksSlices) {
    std::string dir = testing::TempDir() + "pollen_timeline_" + std::to_string(::getpid());
    ASSERT_EQ(run_command("mkdir -p " + dir).status, 0);
    std::string trace = dir + "/trace.json", html_path = dir + "/timeline.html", png = dir + "/shot.png";
    {
        Runtime rt = Builder::new_multi_thread().worker_threads(2).trace(trace).build();
        auto a = task::Builder().name("spinner-a").spawn_on(spin(20ms), rt.handle());
        auto b = task::Builder().name("spinner-b").spawn_on(spin(20ms), rt.handle());
        ASSERT_TRUE(rt.block_on(std::move(a)).is_ok());
        ASSERT_TRUE(rt.block_on(std::move(b)).is_ok());
        for (int i = 0; i < 10; ++i) ASSERT_TRUE(rt.block_on(rt.spawn(time::sleep(1ms))).is_ok());
    }  // written at shutdown

    // The threads that polled, from the trace itself.
    std::set<long> polling_threads;
    nlohmann::json doc = nlohmann::json::parse(read_file(trace));
    for (const auto& e : doc.at("traceEvents"))
        if (e.at("ph") == "X" && e.at("cat") == "poll") polling_threads.insert(long(e.at("tid")));
    ASSERT_GE(polling_threads.size(), 1u);

    auto tool = run_command(sample_path("trace_timeline") + " " + trace + " " + html_path);
    ASSERT_EQ(tool.status, 0) << tool.output;
    std::string html = read_file(html_path);
    std::vector<Box> tracks = boxes(
        html, std::regex(R"re(<rect class="track" data-tid="(\d+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)")re"),
        false);
    std::vector<Box> slices = boxes(
        html,
        std::regex(R"re(<rect class="slice" data-task="([^"]*)" data-cat="poll" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(#[0-9a-f]{6})")re"),
        true);
    ASSERT_FALSE(tracks.empty());
    // Every polling thread has its track (the block_on thread's spawns and
    // timer ticks may add one).
    std::set<long> track_tids;
    const std::regex track_tid(R"re(class="track" data-tid="(\d+)")re");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), track_tid);
         it != std::sregex_iterator(); ++it)
        track_tids.insert(std::stol((*it)[1]));
    for (long tid : polling_threads) EXPECT_TRUE(track_tids.contains(tid)) << tid;

    ASSERT_EQ(access("/usr/bin/chromium", X_OK), 0) << "chromium is missing: apt-get install chromium (make test does)";
    double bottom = 0;
    for (const Box& t : tracks) bottom = std::max(bottom, t.y + t.h);
    auto shot = run_command("chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
                            "--force-device-scale-factor=1 --user-data-dir=" + dir + "/profile --window-size=1600," +
                            std::to_string(int(bottom) + 60) + " --screenshot=" + png + " file://" + html_path);
    Image img(png);
    ASSERT_GT(img.width, 0) << "no screenshot: " << shot.output;

    // The tracks: the track grey in the band under the slices, at several places.
    Rgb grey = parse_hex("#e8ecf2");
    for (const Box& t : tracks) {
        int hits = 0;
        for (int i = 1; i <= 9; ++i)
            if (near(img.at(t.x + t.w * i / 10, t.y + t.h - 2), grey)) ++hits;
        EXPECT_GE(hits, 6) << "track at y=" << t.y;
    }
    // Each track is one unbroken grey band, with white above and below it,
    // down a column where nothing else is drawn on it: no slice or tick of
    // its own, no wake-to-poll line across it.
    struct Segment {
        double x1, y1, x2, y2;
    };
    std::vector<Segment> lines;
    const std::regex line_re(R"re(<line class="(spawn|wake|timer|flow)" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)")re");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), line_re); it != std::sregex_iterator(); ++it)
        lines.push_back({std::stod((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4]), std::stod((*it)[5])});
    std::vector<Box> all_slices = boxes(
        html, std::regex(R"re(<rect class="slice" data-task="([^"]*)" data-cat="\w+" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)")re"),
        false);
    for (const Box& t : tracks) {
        double top = t.y - 3, bottom_y = t.y + t.h + 3;
        auto crosses = [&](const Segment& l, double x) {
            double ya = std::min(l.y1, l.y2), yb = std::max(l.y1, l.y2);
            if (yb < top || ya > bottom_y) return false;
            // The segment's x over this track's rows.
            auto x_at = [&](double y) { return l.y2 == l.y1 ? l.x1 : l.x1 + (l.x2 - l.x1) * (y - l.y1) / (l.y2 - l.y1); };
            double xa = x_at(std::max(ya, top)), xb = x_at(std::min(yb, bottom_y));
            return std::min(xa, xb) - 3 <= x && x <= std::max(xa, xb) + 3;
        };
        double column = -1;
        for (double x = t.x + 3; x < t.x + t.w - 3 && column < 0; x += 1) {
            bool free = std::none_of(lines.begin(), lines.end(), [&](const Segment& l) { return crosses(l, x); }) &&
                        std::none_of(all_slices.begin(), all_slices.end(), [&](const Box& b) {
                            return b.y >= t.y && b.y < t.y + t.h && b.x - 2 <= x && x <= b.x + b.w + 2;
                        });
            if (free) column = x;
        }
        ASSERT_GE(column, 0) << "no free column on the track at y=" << t.y;
        for (double y = t.y + 1; y < t.y + t.h - 1; y += 1)
            ASSERT_TRUE(near(img.at(column, y), grey)) << "track at y=" << t.y << " broken at (" << column << "," << y << ")";
        EXPECT_FALSE(near(img.at(column, t.y - 2), grey)) << "track at y=" << t.y;
        EXPECT_FALSE(near(img.at(column, t.y + t.h + 1), grey)) << "track at y=" << t.y;
    }
    // The spinners' slices are there, in their colours.
    for (const char* name : {"spinner-a", "spinner-b"}) {
        const Box* widest = nullptr;
        for (const Box& s : slices)
            if (s.label == name && (!widest || s.w > widest->w)) widest = &s;
        ASSERT_NE(widest, nullptr) << name;
        ASSERT_GT(widest->w, 4) << name;
        Rgb px = img.at(widest->x + widest->w * 0.75, widest->y + 3);
        Rgb want = parse_hex(widest->fill);
        EXPECT_TRUE(near(px, want)) << name << ": (" << px.r << "," << px.g << "," << px.b << ") vs " << widest->fill;
    }
    // And the page background where no track is.
    EXPECT_TRUE(near(img.at(tracks[0].x + 5, bottom + 20), Rgb{255, 255, 255}));
    (void)run_command("rm -rf " + dir);
}
