#pragma once
/// human_duration: a duration as a person reads it (850ns, 12.3us, 4.1ms,
/// 2.0s), for Runtime::dump, the console's warnings and pollen-console's
/// columns: one format everywhere a task's times are shown. Any thread.

#include <chrono>
#include <cstdio>
#include <string>

namespace pollen::detail {

inline std::string human_duration(std::chrono::nanoseconds d) {
    double ns = double(d.count());
    char buf[32];
    if (ns < 1e3) std::snprintf(buf, sizeof buf, "%.0fns", ns);
    else if (ns < 1e6) std::snprintf(buf, sizeof buf, "%.1fus", ns / 1e3);
    else if (ns < 1e9) std::snprintf(buf, sizeof buf, "%.1fms", ns / 1e6);
    else std::snprintf(buf, sizeof buf, "%.1fs", ns / 1e9);
    return buf;
}

}  // namespace pollen::detail
