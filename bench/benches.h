/*
 * The benchmarks kmmbench knows: one row each (name, what it measures). A benchmark NAME is
 * the function `int bench_NAME(struct bench *b)` in bench_NAME.c.
 */
#ifndef KMM_BENCHES_H
#define KMM_BENCHES_H

#define KMM_BENCHES(X)                                                                             \
	X(machine, "create and destroy machines of several RAM sizes: time and host RSS")          \
	X(boot, "boot the kernel to a ready buddy allocator: time, RSS vs the memory map")         \
	X(mmu, "MMU model: ns per translation for an L1 hit, an L2 hit and a full cold walk")      \
	X(vmalloc, "vmalloc(4K)+vfree with 1K and 100K live areas; vmalloc(2M) small and huge")    \
	X(buddy, "page allocator: ns per alloc+free pair (pcp, buddy, order 9) against jemalloc")  \
	X(slub, "SLUB fast paths and kmalloc vs jemalloc on the same size traces; slab overhead")  \
	X(trace, "trace all on: ns per event with the trace buffer empty and full (a ring)")       \
	X(hostmem, "allocate 90% of RAM zeroed, write, free: RSS vs the memory map, the charge")   \
	X(faults, "user faults and task accesses vs the host kernel doing the same; fork, munmap") \
	X(swap, "swap-out/in pages/s to a plain device and zram, beside liblzo2's own compress")   \
	X(replay, "trace replay: accesses/s on TLB hits, L2 hits, walks, faults; trace decoding")  \
	X(reclaim, "clean file pages reclaimed/s (anon write; kswapd alone), swap-in/s, OOM runs") \
	X(compaction, "vm.compact_memory of a fragmented 4 GiB machine: host time, pages/s moved") \
	X(thp, "anonymous THP faults/s (2 MiB zeroed each) beside the host kernel's own THP "      \
	       "faults")                                                                           \
	X(tlbreach, "random loads over 256 MiB: TLB misses and walks, 4K vs THP vs hugetlb "       \
		    "64K/2M")

#endif /* KMM_BENCHES_H */
