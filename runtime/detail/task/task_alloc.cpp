#include "task_alloc.hpp"

#include <array>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace pollen::detail {

namespace {

// Classes 16 bytes apart, malloc's own granule, each 8 bytes short of a
// multiple of 16: glibc's chunk is the request plus its 8-byte size word,
// rounded to 16, so a block of 16k - 8 bytes wastes nothing.
constexpr std::size_t kGranule = 16;
constexpr std::size_t kClasses = 64;  // up to 1 KiB; larger cells use malloc directly
constexpr std::size_t kBatch = 64;    // blocks moved between a thread and the depot at once
constexpr std::size_t kLocalMax = 2 * kBatch;
constexpr std::size_t kDepotMaxBatches = 256;  // per class: 16k blocks at most

struct FreeBlock {
    FreeBlock* next;
};

/// A singly linked list with its length.
struct Stack {
    FreeBlock* head = nullptr;
    std::size_t len = 0;
    void push(void* p) {
        auto* b = static_cast<FreeBlock*>(p);
        b->next = head;
        head = b;
        ++len;
    }
    void* pop() {
        FreeBlock* b = head;
        head = b->next;
        --len;
        return b;
    }
    /// Detaches the first `n` blocks as a new stack.
    Stack take(std::size_t n) {
        Stack out;
        while (n-- && head) out.push(pop());
        return out;
    }
};

/// Full batches of free blocks, shared by all threads. Never destroyed, so
/// threads that exit late can still hand their blocks back.
struct Depot {
    std::mutex mu;
    std::array<std::vector<Stack>, kClasses> batches;
};
Depot& depot() {
    static Depot* d = new Depot;
    return *d;
}

struct ThreadCache {
    std::array<Stack, kClasses> free;
    ~ThreadCache() {
        for (std::size_t c = 0; c < kClasses; ++c)
            while (free[c].len) std::free(free[c].pop());
    }
};
thread_local ThreadCache cache;

std::size_t class_of(std::size_t size) { return (size + 8 + kGranule - 1) / kGranule - 1; }
std::size_t block_size(std::size_t c) { return (c + 1) * kGranule - 8; }

}  // namespace

// Under AddressSanitizer recycling would hide a use-after-free of a task, so
// every cell goes straight to the system allocator there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRecycle = false;
#else
constexpr bool kRecycle = true;
#endif

void* task_allocate(std::size_t size) {
    std::size_t c = class_of(size);
    if (!kRecycle || c >= kClasses) return ::operator new(size);
    Stack& local = cache.free[c];
    if (local.len == 0) {
        Depot& d = depot();
        std::lock_guard lock(d.mu);
        if (!d.batches[c].empty()) {
            local = d.batches[c].back();
            d.batches[c].pop_back();
        }
    }
    if (local.len) return local.pop();
    void* p = std::malloc(block_size(c));
    if (!p) throw std::bad_alloc();
    return p;
}

void task_deallocate(void* p, std::size_t size) noexcept {
    std::size_t c = class_of(size);
    if (!kRecycle || c >= kClasses) {
        ::operator delete(p);
        return;
    }
    Stack& local = cache.free[c];
    local.push(p);
    if (local.len < kLocalMax) return;
    Stack batch = local.take(kBatch);
    {
        Depot& d = depot();
        std::lock_guard lock(d.mu);
        if (d.batches[c].size() < kDepotMaxBatches) {
            d.batches[c].push_back(batch);
            return;
        }
    }
    while (batch.len) std::free(batch.pop());
}

}  // namespace pollen::detail
