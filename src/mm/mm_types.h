/*
 * struct page and the list helpers the allocators use.
 *
 * struct page (64 bytes, like the kernel's with SPARSEMEM_VMEMMAP):
 *
 * | offset | field            | meaning                                                    |
 * |--------|------------------|------------------------------------------------------------|
 * | 0      | flags            | PG_* bits; node id in bits 63:60, zone in 59:58 (as 6.1)    |
 * | 8      | lru / buddy_list | list linkage (free lists, pcp lists, LRU)                  |
| 16     | mlock_count      | on the unevictable LRU, over lru.prev (not linked there)  |
 * | 24     | mapping          | address_space / anon_vma (later layers)                    |
 * | 32     | index            | page offset in the mapping                                 |
 * | 40     | private          | buddy order while PageBuddy; other users later            |
 * | 48     | _mapcount        | also page_type (PG_buddy, ...) while not mapped            |
 * | 52     | _refcount        |                                                            |
 * | 56     | memcg_data       | (unused: no memcg model yet)                               |
 *
 * Compound pages reuse the second word of tail pages (compound_head | 1), as the kernel does;
 * the first tail page also holds compound_dtor (16), compound_order (17), compound_mapcount
 * (20), compound_pincount (24) and compound_nr (28), as 6.1's does.
 *
 * struct folio overlays a head page and its first tail (6.1's layout; static asserts below pin
 * each field to the struct page field it aliases):
 *
 * | folio field       | struct page field               |
 * |-------------------|---------------------------------|
 * | flags ... memcg_data | the head page's own fields   |
 * | _flags_1          | page[1].flags                   |
 * | __head            | page[1].compound_head           |
 * | _folio_dtor       | page[1].compound_dtor           |
 * | _folio_order      | page[1].compound_order          |
 * | _total_mapcount   | page[1].compound_mapcount       |
 * | _pincount         | page[1].compound_pincount       |
 * | _folio_nr_pages   | page[1].compound_nr             |
 *
 * The second tail of a THP keeps deferred_list over its mapping and index (6.1's place).
 *
 * (6.1 has no _entire_mapcount or _nr_pages_mapped: those came in 6.2/6.3.)
 */
#ifndef KMM_MM_MM_TYPES_H
#define KMM_MM_MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/kernel.h"

/* CPUs an mm_cpumask can name (CONFIG_NR_CPUS=256, as KMM_MAX_CPUS). */
#define KMM_MAX_CPUS_MM 256

struct kmm_kernel;

#ifndef KMM_PHYS_ADDR_T_DEFINED
#define KMM_PHYS_ADDR_T_DEFINED
typedef uint64_t phys_addr_t;
#endif

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define MAX_ORDER		11 /* orders 0..10 (CONFIG_ARCH_FORCE_MAX_ORDER=11 in 6.1) */
#define MAX_ORDER_NR_PAGES	(1UL << (MAX_ORDER - 1))
#define pageblock_order		9
#define pageblock_nr_pages	(1UL << pageblock_order)
#define PAGE_ALLOC_COSTLY_ORDER 3

/* Models: include/asm-generic/getorder.h:get_order(): the order whose block holds @size. */
static inline unsigned int get_order(unsigned long size)
{
	return size <= PAGE_SIZE ? 0 : (unsigned int)fls64((size - 1) >> PAGE_SHIFT);
}

#define PFN_UP(x)   (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)
#define PHYS_PFN(x) ((unsigned long)((x) >> PAGE_SHIFT))

struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}

static inline bool list_empty(const struct list_head *l)
{
	return l->next == l;
}

static inline void __list_add(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

static inline void list_add(struct list_head *n, struct list_head *head)
{
	__list_add(n, head, head->next);
}

static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	__list_add(n, head->prev, head);
}

static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e->prev = NULL;
}

static inline void list_move(struct list_head *e, struct list_head *head)
{
	list_del(e);
	list_add(e, head);
}

static inline void list_move_tail(struct list_head *e, struct list_head *head)
{
	list_del(e);
	list_add_tail(e, head);
}

#define container_of(ptr, type, member)	     ((type *)((char *)(ptr)-offsetof(type, member)))
#define list_entry(ptr, type, member)	     container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)

struct page {
	unsigned long flags;
	union {
		struct {
			union {
				struct list_head lru; /* also buddy_list / pcp_list */
				struct {	      /* on the unevictable LRU (not linked) */
					void *__filler;
					unsigned int mlock_count; /* mlocks (an underestimate) */
				};
			};
			void *mapping;
			unsigned long index;
			unsigned long private;
		};
		struct {
			unsigned long compound_head; /* bit 0 set: tail page */
			unsigned char compound_dtor;
			unsigned char compound_order;
			int compound_mapcount;
			int compound_pincount;
			unsigned int compound_nr; /* 1 << compound_order */
			unsigned long _private_1;
		};
		struct { /* the second tail page of a THP (huge_memory.c) */
			unsigned long _compound_pad_1; /* compound_head */
			unsigned long _compound_pad_2;
			struct list_head deferred_list; /* over mapping and index */
		};
	};
	union {
		int _mapcount;
		unsigned int page_type;
	};
	int _refcount;
	unsigned long memcg_data;
};

_Static_assert(sizeof(struct page) == 64, "struct page must stay 64 bytes, as the kernel's");

/* Models: include/linux/mm_types.h:struct folio (6.1): a head page and its first tail. */
struct folio {
	union {
		struct {
			unsigned long flags;
			union {
				struct list_head lru;
				struct {
					void *__filler;
					unsigned int mlock_count;
				};
			};
			void *mapping;
			unsigned long index;
			unsigned long private;
			int _mapcount;
			int _refcount;
			unsigned long memcg_data;
		};
		struct page page;
	};
	unsigned long _flags_1;
	unsigned long __head;
	unsigned char _folio_dtor;
	unsigned char _folio_order;
	int _total_mapcount;
	int _pincount;
	unsigned int _folio_nr_pages;
	unsigned long _private_1;
};

#define FOLIO_MATCH(pg, fl)                                                                        \
	_Static_assert(offsetof(struct page, pg) == offsetof(struct folio, fl), "folio." #fl)
FOLIO_MATCH(flags, flags);
FOLIO_MATCH(lru, lru);
FOLIO_MATCH(mlock_count, mlock_count);
FOLIO_MATCH(mapping, mapping);
FOLIO_MATCH(compound_head, lru);
FOLIO_MATCH(index, index);
FOLIO_MATCH(private, private);
FOLIO_MATCH(_mapcount, _mapcount);
FOLIO_MATCH(_refcount, _refcount);
FOLIO_MATCH(memcg_data, memcg_data);
#undef FOLIO_MATCH
#define FOLIO_MATCH(pg, fl)                                                                        \
	_Static_assert(offsetof(struct folio, fl) ==                                               \
			       offsetof(struct page, pg) + sizeof(struct page),                    \
		       "folio." #fl)
FOLIO_MATCH(flags, _flags_1);
FOLIO_MATCH(compound_head, __head);
FOLIO_MATCH(compound_dtor, _folio_dtor);
FOLIO_MATCH(compound_order, _folio_order);
FOLIO_MATCH(compound_mapcount, _total_mapcount);
FOLIO_MATCH(compound_pincount, _pincount);
FOLIO_MATCH(compound_nr, _folio_nr_pages);
FOLIO_MATCH(_private_1, _private_1);
#undef FOLIO_MATCH

/* Node and zone live in the top bits of page->flags (mminit: "Node 60 Zone 58"). */
#define NODES_PGSHIFT 60
#define NODES_MASK    0xfUL
#define ZONES_PGSHIFT 58
#define ZONES_MASK    0x3UL

/*
 * Compound pages (6.1 layout): the head has PG_head; every tail's compound_head is the head's
 * address | 1; the first tail holds compound_dtor, compound_order, compound_nr and the counts.
 */
static inline struct page *compound_head(const struct page *p)
{
	if (p->compound_head & 1)
		return (struct page *)(p->compound_head - 1);
	return (struct page *)p;
}

/* Models: page_folio(): the folio @p belongs to (its compound head). */
static inline struct folio *page_folio(const struct page *p)
{
	return (struct folio *)compound_head(p);
}

/* Models: folio_page(): page @n of @folio. */
static inline struct page *folio_page(struct folio *folio, unsigned long n)
{
	return &folio->page + n;
}

static inline int page_to_nid(const struct page *p)
{
	return (int)(p->flags >> NODES_PGSHIFT & NODES_MASK);
}

static inline int page_zonenum(const struct page *p)
{
	return (int)(p->flags >> ZONES_PGSHIFT & ZONES_MASK);
}

static inline void set_page_links(struct page *p, int zone, int nid)
{
	p->flags &= ~((NODES_MASK << NODES_PGSHIFT) | (ZONES_MASK << ZONES_PGSHIFT));
	p->flags |= ((unsigned long)nid & NODES_MASK) << NODES_PGSHIFT |
		    ((unsigned long)zone & ZONES_MASK) << ZONES_PGSHIFT;
}

/* ---- user address spaces: VMAs, anon_vma, mm_struct (Linux 6.1 include/linux/mm_types.h) -- */

struct mm_struct;
struct file;	      /* src/mm/pagemap.h: an open simulated file */
struct address_space; /* src/mm/pagemap.h: a file's page cache */
struct vm_operations_struct;

typedef unsigned long vm_flags_t;

/*
 * Models: include/linux/rmap.h:struct anon_vma. The anonymous pages of a VMA and of the VMAs
 * forked from it point here (page->mapping | PAGE_MAPPING_ANON).
 * Deviation: the VMAs that may map a page are found on a list of anon_vma_chains instead of
 * the kernel's interval tree (rmap_walk filters by address); the lock is not modelled.
 */
struct anon_vma {
	struct anon_vma *root;	 /* the root of this anon_vma's tree */
	struct anon_vma *parent; /* the anon_vma it was forked from (itself for a root) */
	int refcount;
	int migration_refs;	       /* of refcount: taken by folios being migrated */
	unsigned long num_children;    /* anon_vmas forked from this one */
	unsigned long num_active_vmas; /* VMAs whose vma->anon_vma is this one */
	struct list_head chains;       /* anon_vma_chain.same_anon_vma */
	struct list_head list;	       /* all anon_vmas of the kernel (rmap_check) */
	int check_roots;	       /* rmap_check's scratch: anon_vmas rooted here */
	uint64_t slab_obj;	       /* its shadow in the anon_vma slab cache */
};

/* Models: include/linux/rmap.h:struct anon_vma_chain: one VMA <-> anon_vma link. */
struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma;	/* on vma->anon_vma_chain */
	struct list_head same_anon_vma; /* on anon_vma->chains */
	uint64_t slab_obj;		/* its shadow in the anon_vma_chain slab cache */
};

/*
 * Models: struct vm_area_struct (6.1). One VMA is [vm_start, vm_end) of one mm.
 * Deviation: 6.1 keeps VMAs in a maple tree; the model keeps them in a red-black tree ordered
 * by vm_start plus a sorted doubly linked list (the vm_next/vm_prev of 6.0), so find_vma and
 * neighbour lookups are O(log n) and O(1) (docs/fidelity.md).
 */
struct vm_area_struct {
	unsigned long vm_start, vm_end;		  /* [vm_start, vm_end), page aligned */
	struct vm_area_struct *vm_next, *vm_prev; /* sorted by address; NULL at the ends */
	struct {
		struct vm_area_struct *rbe_left, *rbe_right, *rbe_parent;
		int rbe_color;
	} vm_rb; /* libbsd RB_ENTRY(vm_area_struct), spelled out (see mmap.c) */
	unsigned long rb_subtree_gap; /* largest free gap below a VMA in its subtree */
	struct mm_struct *vm_mm;
	uint64_t vm_page_prot; /* pgprot_t of the PTEs: vm_get_page_prot(vm_flags) */
	vm_flags_t vm_flags;

	/* File and shared-memory mappings: the file's i_mmap list (struct address_space). */
	struct list_head shared;
	/* Anonymous memory: chains to every anon_vma whose pages this VMA may map. */
	struct list_head anon_vma_chain;
	struct anon_vma *anon_vma;
	/* swap_state.c: the swap readahead history (fault address | window | hits). */
	unsigned long swap_readahead_info;

	const struct vm_operations_struct *vm_ops;
	unsigned long vm_pgoff; /* offset in the file (or vm_start >> PAGE_SHIFT), pages */
	struct file *vm_file;
	void *vm_private_data;
	const char *special_name; /* "[vdso]", "[vvar]": what /proc/<pid>/maps prints */
	uint64_t slab_obj;	  /* its shadow in the vm_area_struct slab cache */
};

/* Models: enum NR_MM_COUNTERS (6.1): the rss counters of an mm. */
enum {
	MM_FILEPAGES,  /* resident file mapping pages */
	MM_ANONPAGES,  /* resident anonymous pages */
	MM_SWAPENTS,   /* anonymous swap entries */
	MM_SHMEMPAGES, /* resident shared memory pages */
	NR_MM_COUNTERS
};

/*
 * Models: arch/arm64/include/asm/mmu.h:mm_context_t: the ASID and its generation
 * (context.c), and the number of pins that keep it across a rollover.
 */
typedef struct {
	uint64_t id; /* generation << asid_bits | asid; 0: none yet */
	unsigned long pinned;
} mm_context_t;

/*
 * Models: struct mm_struct (6.1). One user address space: its VMAs, its page tables (the
 * pgd page in simulated RAM), its counters and its layout.
 */
struct mm_struct {
	struct kmm_kernel *kernel;
	struct {
		struct vm_area_struct *rbh_root;
	} mm_rb;			  /* libbsd RB_HEAD of VMAs by vm_start (mmap.c) */
	struct vm_area_struct *mmap;	  /* the lowest VMA; vm_next goes up */
	struct vm_area_struct *mmap_last; /* the highest VMA */
	int map_count;
	phys_addr_t pgd; /* PA of the pgd page; the walker reads the tables from simulated RAM */
	mm_context_t context;
	int mm_users; /* tasks using this address space (and get_task_mm holders) */
	int mm_count; /* references to the struct itself: mm_users != 0 holds one */

	unsigned long mmap_base; /* base of the top-down mmap area */
	unsigned long task_size; /* TASK_SIZE of this mm */
	unsigned long highest_vm_end;
	unsigned long hiwater_rss, hiwater_vm; /* VmHWM, VmPeak, pages */
	unsigned long total_vm, locked_vm, pinned_vm, data_vm, exec_vm, stack_vm; /* pages */
	long pgtables_bytes; /* VmPTE: bytes of user page tables below the pgd */
	long hugetlb_usage;  /* HugetlbPages: base pages of hugetlb pages mapped (hugetlb.c) */
	unsigned long def_flags;
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
	long rss_stat[NR_MM_COUNTERS];	  /* the synced counts (per-task caches in task_struct) */
	long rss_pending[NR_MM_COUNTERS]; /* model: sum of the tasks' unsynced caches (checks) */
	unsigned long flags;		  /* MMF_* */
	uint64_t cpus_seen[(KMM_MAX_CPUS_MM + 63) / 64]; /* mm_cpumask: CPUs it ran on */
	unsigned long committed;   /* pages charged to Committed_AS by this mm's VMAs */
	struct list_head mmlist;   /* all mm_structs of the kernel (mm_state) */
	uint64_t slab_obj;	   /* its shadow in the mm_struct slab cache */
	struct page *pmd_huge_pte; /* PTE tables deposited for huge PMDs (huge_memory.c) */
};

#endif /* KMM_MM_MM_TYPES_H */
