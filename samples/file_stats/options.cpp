// file_stats: parsing the command line (see options.hpp).
#include "options.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace file_stats {

namespace {

void usage() {
    std::fprintf(stderr,
                 "usage: file_stats DIR [--concurrency C] [--threads N] [--top N] [--sync | --compare]\n"
                 "  counts lines, words and bytes of every file under DIR\n"
                 "  --concurrency C  files read at once by the async version (default 16)\n"
                 "  --threads N      runtime worker threads (default: one per core)\n"
                 "  --top N          how many of the largest files to list (default 10)\n"
                 "  --sync           run only the synchronous version\n"
                 "  --compare        run both versions and print both timings\n");
}

/// A non-negative number, or nullopt.
std::optional<std::size_t> number(const char* s) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (!*s || *end || *s == '-') return std::nullopt;
    return static_cast<std::size_t>(v);
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv) {
    Options o;
    bool have_root = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](std::size_t& out, std::size_t min) {
            if (i + 1 >= argc) return false;
            auto n = number(argv[++i]);
            if (!n || *n < min) return false;
            out = *n;
            return true;
        };
        bool ok = true;
        if (a == "--concurrency") ok = value(o.concurrency, 1);
        else if (a == "--threads") ok = value(o.threads, 1);
        else if (a == "--top") ok = value(o.top, 0);
        else if (a == "--sync") o.sync_only = true;
        else if (a == "--compare") o.compare = true;
        else if (a.rfind("--", 0) != 0 && !have_root) {
            o.root = a;
            have_root = true;
        } else ok = false;
        if (!ok) {
            std::fprintf(stderr, "file_stats: bad argument '%s'\n", a.c_str());
            usage();
            return std::nullopt;
        }
    }
    if (!have_root || (o.sync_only && o.compare)) {
        usage();
        return std::nullopt;
    }
    return o;
}

}  // namespace file_stats
