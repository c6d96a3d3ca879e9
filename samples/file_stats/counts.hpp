#pragma once
// file_stats: what is counted in a file, and the counter that counts it a
// chunk at a time.
//
// The rules are wc's in the C locale: `lines` is the number of '\n' bytes (a
// last line without one is not counted, as `wc -l` does), `words` the number
// of maximal runs of bytes that are not ASCII whitespace, `bytes` the size.
// The counter is fed chunks as the reads deliver them; a word cut in two by a
// chunk boundary is still one word, because `in_word_` survives the cut.
// Both the synchronous and the async version count with this one class, so
// any difference between them comes from the walking and reading, not here.

#include <cstddef>
#include <cstdint>
#include <span>

namespace file_stats {

struct Counts {
    std::uint64_t lines = 0;
    std::uint64_t words = 0;
    std::uint64_t bytes = 0;

    Counts& operator+=(const Counts& o) {
        lines += o.lines;
        words += o.words;
        bytes += o.bytes;
        return *this;
    }
    bool operator==(const Counts&) const = default;
};

class WordCounter {
public:
    void feed(std::span<const std::byte> chunk) {
        counts_.bytes += chunk.size();
        for (std::byte b : chunk) {
            auto c = static_cast<unsigned char>(b);
            bool space = c == ' ' || (c >= '\t' && c <= '\r');  // \t \n \v \f \r
            if (c == '\n') ++counts_.lines;
            if (!space && !in_word_) ++counts_.words;
            in_word_ = !space;
        }
    }
    const Counts& counts() const { return counts_; }

private:
    Counts counts_;
    bool in_word_ = false;
};

}  // namespace file_stats
