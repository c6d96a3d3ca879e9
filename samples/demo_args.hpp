#pragma once
// samples::DemoArgs: the command line shared by the debugging samples
// (blocking_call, lost_wake, starved_task): `NAME [--fixed] [--seconds N]`.
// --fixed runs the corrected program; --seconds how long it runs (default 3,
// a positive whole number). Anything else prints the usage and exits 2.

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace samples {

struct DemoArgs {
    bool fixed = false;
    int seconds = 3;
};

inline DemoArgs parse_demo_args(int argc, char** argv, const char* name) {
    DemoArgs args;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--fixed") {
            args.fixed = true;
            continue;
        }
        if (arg == "--seconds" && i + 1 < argc) {
            char* end = nullptr;
            long n = std::strtol(argv[++i], &end, 10);
            if (*end == '\0' && n > 0 && n <= 86'400) {
                args.seconds = static_cast<int>(n);
                continue;
            }
        }
        std::fprintf(stderr, "usage: %s [--fixed] [--seconds N]\n", name);
        std::exit(2);
    }
    return args;
}

}  // namespace samples
