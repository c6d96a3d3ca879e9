#pragma once
/// detail::List<T>: the queue under every mpsc channel, Tokio's lock-free
/// linked list of 32-slot blocks (tokio/src/sync/mpsc/list.rs, block.rs).
///
/// Senders claim a slot index with one fetch_add on `tail_position_`, find
/// (or append) the block holding it, write the value and set the slot's
/// ready bit. The one receiver walks the blocks in order, reads ready slots,
/// and hands fully consumed blocks back to the tail for reuse (at most three
/// tries, then it frees them), so a steady stream allocates nothing.
///
/// A block's `ready_` word: bit i = slot i is written; RELEASED = the senders
/// have moved `block_tail_` past it (its `observed_tail_` is then valid);
/// TX_CLOSED = the close marker lives in this block at the first unwritten
/// slot. The receiver reuses a block only once RELEASED is set and it has
/// read every index below `observed_tail_`: from then on no sender can still
/// be looking at the block.
///
/// Every atomic access but the resets of an unreachable block is
/// sequentially consistent. Two arguments need it: "tail moved" must be
/// ordered before any later slot claim (the reuse argument above), and the
/// receiver's re-check after arming its waker must see a value whose sender
/// did not see the arming (Chan::notify_rx), including when that value sits
/// in a block linked a moment ago. On x86 this costs nothing: RMWs are
/// locked instructions anyway and the only stores are relaxed resets.
/// Not a public type: Chan drives it.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <utility>

namespace pollen::mpsc::detail {

inline constexpr std::size_t kBlockCap = 32;
inline constexpr std::uint64_t kReadyMask = (std::uint64_t{1} << kBlockCap) - 1;
inline constexpr std::uint64_t kReleased = std::uint64_t{1} << kBlockCap;
inline constexpr std::uint64_t kTxClosed = std::uint64_t{1} << (kBlockCap + 1);

inline constexpr std::size_t block_start(std::size_t index) { return index & ~(kBlockCap - 1); }
inline constexpr std::size_t block_offset(std::size_t index) { return index & (kBlockCap - 1); }

template <class T>
struct Block {
    explicit Block(std::size_t start) : start_index(start) {}
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;

    /// Written only while the block is unreachable by senders (fresh, or
    /// being recycled), then published by the CAS that links it.
    std::size_t start_index;
    std::atomic<Block*> next{nullptr};
    std::atomic<std::uint64_t> ready{0};
    /// Valid once RELEASED is set.
    std::size_t observed_tail = 0;
    alignas(T) unsigned char storage[kBlockCap * sizeof(T)];

    T* slot(std::size_t offset) { return std::launder(reinterpret_cast<T*>(storage) + offset); }

    bool is_final() const {
        return (ready.load(std::memory_order_seq_cst) & kReadyMask) == kReadyMask;
    }

    void reset() {
        start_index = 0;
        next.store(nullptr, std::memory_order_relaxed);
        ready.store(0, std::memory_order_relaxed);
        observed_tail = 0;
    }
};

enum class Read : std::uint8_t { Value, Empty, Closed };

template <class T>
class List {
public:
    using BlockT = Block<T>;

    List() {
        BlockT* first = new BlockT(0);
        block_tail_.store(first, std::memory_order_relaxed);
        head_ = free_head_ = first;
    }
    List(const List&) = delete;
    List& operator=(const List&) = delete;

    /// Frees every block. The owner drains the values first (`pop` until
    /// it is no longer Value); nobody may push any more.
    ~List() {
        BlockT* b = free_head_;
        while (b) {
            BlockT* next = b->next.load(std::memory_order_relaxed);
            delete b;
            b = next;
        }
    }

    // ------------------------------------------------------------ senders

    template <class U>
    void push(U&& value) {
        std::size_t index = tail_position_.fetch_add(1, std::memory_order_seq_cst);
        BlockT* block = find_block(index);
        std::size_t off = block_offset(index);
        ::new (static_cast<void*>(block->slot(off))) T(std::forward<U>(value));
        block->ready.fetch_or(std::uint64_t{1} << off, std::memory_order_seq_cst);
    }

    /// Appends the close marker: the receiver reads Closed at its index.
    void close() {
        std::size_t index = tail_position_.fetch_add(1, std::memory_order_seq_cst);
        find_block(index)->ready.fetch_or(kTxClosed, std::memory_order_seq_cst);
        marker_claimed_.store(true, std::memory_order_seq_cst);
    }

    // ----------------------------------------------------------- receiver

    /// The next value into `out`, or Empty (nothing ready at this index yet),
    /// or Closed (the marker: every sender is gone and all was read).
    Read pop(std::optional<T>& out) {
        if (!try_advancing_head()) return Read::Empty;
        reclaim_blocks();
        BlockT* block = head_;
        std::size_t off = block_offset(index_);
        std::uint64_t bits = block->ready.load(std::memory_order_seq_cst);
        if ((bits & (std::uint64_t{1} << off)) == 0)
            return (bits & kTxClosed) ? Read::Closed : Read::Empty;
        T* p = block->slot(off);
        out.emplace(std::move(*p));
        p->~T();
        ++index_;
        return Read::Value;
    }

    /// Values claimed and not yet read (Tokio's `list::Rx::len`): a value
    /// whose sender has claimed its slot counts although it is still being
    /// written. The flag is read before the tail, so a close racing with
    /// this call can only count its marker as a value for a moment, never
    /// make the count go below zero.
    std::size_t len() const {
        bool marker = marker_claimed_.load(std::memory_order_seq_cst);
        std::size_t tail = tail_position_.load(std::memory_order_seq_cst);
        return tail - index_ - (marker ? 1 : 0);
    }

    /// True while a sender has claimed the receiver's next index but not
    /// written it yet (only meaningful after `pop` returned Empty).
    bool write_in_progress() const {
        return tail_position_.load(std::memory_order_seq_cst) != index_;
    }

private:
    BlockT* find_block(std::size_t index) {
        const std::size_t start = block_start(index);
        const std::size_t offset = block_offset(index);
        BlockT* block = block_tail_.load(std::memory_order_seq_cst);
        // Only a sender far enough ahead (more blocks away than its offset)
        // tries to move the tail, so the blocks it passes are likely full.
        bool try_updating_tail = (start - block->start_index) / kBlockCap > offset;
        for (;;) {
            if (block->start_index == start) return block;
            BlockT* next = block->next.load(std::memory_order_seq_cst);
            if (next == nullptr) next = grow(block);
            try_updating_tail = try_updating_tail && block->is_final();
            if (try_updating_tail) {
                BlockT* expected = block;
                if (block_tail_.compare_exchange_strong(expected, next, std::memory_order_seq_cst,
                                                        std::memory_order_relaxed)) {
                    block->observed_tail = tail_position_.load(std::memory_order_seq_cst);
                    block->ready.fetch_or(kReleased, std::memory_order_seq_cst);
                } else {
                    try_updating_tail = false;
                }
            }
            block = next;
        }
    }

    /// Links a new block after `block`; returns block's successor (which may
    /// be another sender's block, in which case ours goes further down).
    BlockT* grow(BlockT* block) {
        auto* fresh = new BlockT(block->start_index + kBlockCap);
        BlockT* expected = nullptr;
        if (block->next.compare_exchange_strong(expected, fresh, std::memory_order_seq_cst,
                                                std::memory_order_seq_cst))
            return fresh;
        BlockT* successor = expected;
        BlockT* curr = successor;
        for (;;) {
            fresh->start_index = curr->start_index + kBlockCap;
            expected = nullptr;
            if (curr->next.compare_exchange_strong(expected, fresh, std::memory_order_seq_cst,
                                                   std::memory_order_seq_cst))
                return successor;
            curr = expected;
        }
    }

    bool try_advancing_head() {
        const std::size_t start = block_start(index_);
        for (;;) {
            if (head_->start_index == start) return true;
            BlockT* next = head_->next.load(std::memory_order_seq_cst);
            if (next == nullptr) return false;
            head_ = next;
        }
    }

    void reclaim_blocks() {
        while (free_head_ != head_) {
            BlockT* block = free_head_;
            if ((block->ready.load(std::memory_order_seq_cst) & kReleased) == 0) return;
            if (block->observed_tail > index_) return;
            free_head_ = block->next.load(std::memory_order_seq_cst);
            recycle(block);
        }
    }

    /// Puts a consumed block back at the end of the chain, or frees it.
    void recycle(BlockT* block) {
        block->reset();
        BlockT* curr = block_tail_.load(std::memory_order_seq_cst);
        for (int tries = 0; tries < 3; ++tries) {
            block->start_index = curr->start_index + kBlockCap;
            BlockT* expected = nullptr;
            if (curr->next.compare_exchange_strong(expected, block, std::memory_order_seq_cst,
                                                   std::memory_order_seq_cst))
                return;
            curr = expected;
        }
        delete block;
    }

    // Senders' side and receiver's side on separate cache lines.
    alignas(64) std::atomic<BlockT*> block_tail_{nullptr};
    std::atomic<std::size_t> tail_position_{0};
    std::atomic<bool> marker_claimed_{false};  ///< set once `close` has its index

    alignas(64) BlockT* head_ = nullptr;
    std::size_t index_ = 0;
    BlockT* free_head_ = nullptr;
};

}  // namespace pollen::mpsc::detail
