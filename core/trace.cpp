// TraceVisitor's tree building and the shortening of type names (trace.hpp).
#include "trace.hpp"

#include <cstdio>
#include <cstdlib>

namespace pollen {

namespace {

bool opens(char c) { return c == '<' || c == '(' || c == '[' || c == '{'; }
bool closes(char c) { return c == '>' || c == ')' || c == ']' || c == '}'; }

/// Erases the qualifier that ends `out` (what precedes a "::"): back to the
/// nearest unmatched bracket, comma or space, skipping balanced brackets, so
/// that "f(int)::" and "(anonymous namespace)::" go as a whole.
void drop_qualifier(std::string& out) {
    std::size_t i = out.size();
    int depth = 0;
    while (i > 0) {
        char c = out[i - 1];
        if (closes(c)) ++depth;
        else if (opens(c)) {
            if (depth == 0) break;
            --depth;
        } else if ((c == ',' || c == ' ') && depth == 0) break;
        --i;
    }
    out.erase(i);
}

std::string strip_namespaces(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == ':' && i + 1 < raw.size() && raw[i + 1] == ':') {
            // A lambda's enclosing function says what it is: "accept()::<lambda()>".
            if (raw.substr(i + 2).starts_with("<lambda")) {
                out += "::";
                ++i;
                continue;
            }
            drop_qualifier(out);
            ++i;
            continue;
        }
        // GCC writes "Foo<Bar<int> >": the space before '>' is noise.
        if (raw[i] == ' ' && i + 1 < raw.size() && raw[i + 1] == '>') continue;
        out += raw[i];
    }
    return out;
}

/// Replaces what is inside template brackets nested deeper than max_depth with "...".
std::string collapse(const std::string& s, int max_depth) {
    std::string out;
    out.reserve(s.size());
    int depth = 0;  // of '<' only: a lambda's "(int)" is kept whole
    for (char c : s) {
        if (c == '<' && depth >= 0) {
            ++depth;
            if (depth == max_depth + 1) {
                out += "<...";
                continue;
            }
        } else if (c == '>' && depth > 0) {
            --depth;
            if (depth == max_depth) {
                out += '>';
                continue;
            }
        }
        if (depth <= max_depth) out += c;
    }
    return out;
}

}  // namespace

std::string short_type_name(std::string_view raw, int max_depth) {
    std::string s = strip_namespaces(raw);
    // A lambda's "<lambda(...)>" is a name, not a template argument list:
    // write it as "{lambda(...)}" while collapsing, then back.
    for (std::size_t at = s.find("<lambda("); at != std::string::npos; at = s.find("<lambda(", at)) {
        s[at] = '{';
        std::size_t close = s.find(")>", at);
        if (close == std::string::npos) break;
        s[close + 1] = '}';
    }
    // std::string, as GCC spells it once the namespaces are gone.
    for (std::size_t at = s.find("basic_string<char>"); at != std::string::npos; at = s.find("basic_string<char>", at))
        s.replace(at, 18, "string");
    if (max_depth > 0) s = collapse(s, max_depth);
    for (char& c : s) {
        if (c == '{' ) c = '<';
        else if (c == '}') c = '>';
    }
    return s;
}

TraceFrame& TraceVisitor::open(std::string type) {
    TraceFrame& node = current_->children.emplace_back();
    node.type = std::move(type);
    stack_.push_back(current_);
    current_ = &node;
    ++depth_;
    return node;
}

void TraceVisitor::close() {
    current_ = stack_.back();
    stack_.pop_back();
    --depth_;
}

void TraceVisitor::waits_on(std::string what) {
    if (!current_->waits_on.empty()) current_->waits_on += "; ";
    current_->waits_on += what;
}

std::string TraceFrame::to_string(int indent) const {
    std::string out(static_cast<std::size_t>(indent), ' ');
    out += type;
    if (parked_at != nullptr) {
        out += " at ";
        out += parked_at->file;
        out += ':';
        out += std::to_string(parked_at->line);
        out += " awaiting `";
        out += parked_at->expression;
        out += '`';
    }
    if (!waits_on.empty()) {
        out += ": ";
        out += waits_on;
    } else if (opaque) {
        out += " (opaque: no describe())";
    }
    out += '\n';
    for (const TraceFrame& c : children) out += c.to_string(indent + 2);
    return out;
}

namespace trace {

std::string relative_deadline(long long ns) {
    char buf[64];
    long long magnitude = ((ns < 0 ? -ns : ns) + 500'000) / 1'000'000 * 1'000'000;  // to the nearest ms
    std::snprintf(buf, sizeof buf, ns >= 0 ? "in %lld.%03llds" : "%lld.%03llds ago", magnitude / 1'000'000'000,
                  magnitude / 1'000'000 % 1000);
    return buf;
}

std::string address(const void* p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%p", p);
    return buf;
}

}  // namespace trace

}  // namespace pollen
