#pragma once
/// Task memory recycling (asio's recycling allocator, per size class): task
/// cells are allocated on one thread and freed on another, in bursts of
/// thousands. Through malloc that pattern makes glibc trim and regrow its
/// heap over and over (page faults dominated spawn-heavy profiles). Here each
/// thread keeps a small free list per size class and trades blocks with a
/// global depot in batches, so the common path takes no lock and touches no
/// new page. The depot is bounded; beyond it blocks go back to malloc.

#include <cstddef>

namespace pollen::detail {

/// Memory for a task cell of `size` bytes (any size; large ones use malloc).
void* task_allocate(std::size_t size);
/// Gives back memory from task_allocate(size), from any thread.
void task_deallocate(void* p, std::size_t size) noexcept;

}  // namespace pollen::detail
