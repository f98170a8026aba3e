/*
 * struct page and the list helpers the allocators use.
 *
 * struct page (64 bytes, like the kernel's with SPARSEMEM_VMEMMAP):
 *
 * | offset | field            | meaning                                                    |
 * |--------|------------------|------------------------------------------------------------|
 * | 0      | flags            | PG_* bits; node id in bits 63:60, zone in 59:58 (as 6.1)    |
 * | 8      | lru / buddy_list | list linkage (free lists, pcp lists, LRU)                  |
 * | 24     | mapping          | address_space / anon_vma (later layers)                    |
 * | 32     | index            | page offset in the mapping                                 |
 * | 40     | private          | buddy order while PageBuddy; other users later            |
 * | 48     | _mapcount        | also page_type (PG_buddy, ...) while not mapped            |
 * | 52     | _refcount        |                                                            |
 * | 56     | memcg_data       | (unused: no memcg model yet)                               |
 *
 * Compound pages reuse the second word of tail pages (compound_head | 1), as the kernel does.
 */
#ifndef KMM_MM_MM_TYPES_H
#define KMM_MM_MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/kernel.h"

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
			struct list_head lru; /* also buddy_list / pcp_list */
			void *mapping;
			unsigned long index;
			unsigned long private;
		};
		struct {
			unsigned long compound_head; /* bit 0 set: tail page */
			unsigned char compound_dtor;
			unsigned char compound_order;
			int compound_mapcount;
			unsigned int compound_nr;
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

/* Page flags: the subset the model uses, in the kernel's bit order (enum pageflags, 6.1). */
enum pageflags {
	PG_locked,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_workingset,
	PG_waiters,
	PG_error,
	PG_slab,
	PG_owner_priv_1,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_private_2,
	PG_writeback,
	PG_head,
	PG_mappedtodisk,
	PG_reclaim,
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	__NR_PAGEFLAGS,
};

/* Node and zone live in the top bits of page->flags (mminit: "Node 60 Zone 58"). */
#define NODES_PGSHIFT 60
#define NODES_MASK    0xfUL
#define ZONES_PGSHIFT 58
#define ZONES_MASK    0x3UL

static inline bool test_page_flag(const struct page *p, int bit)
{
	return p->flags >> bit & 1;
}

static inline void set_page_flag(struct page *p, int bit)
{
	p->flags |= 1UL << bit;
}

static inline void clear_page_flag(struct page *p, int bit)
{
	p->flags &= ~(1UL << bit);
}

#define PageReserved(p)	       test_page_flag(p, PG_reserved)
#define SetPageReserved(p)     set_page_flag(p, PG_reserved)
#define __ClearPageReserved(p) clear_page_flag(p, PG_reserved)

#define PageHead(p)	   test_page_flag(p, PG_head)
#define PageSlab(p)	   test_page_flag(p, PG_slab)
#define __SetPageSlab(p)   set_page_flag(p, PG_slab)
#define __ClearPageSlab(p) clear_page_flag(p, PG_slab)

/*
 * Compound pages (6.1 layout): the head has PG_head; every tail's compound_head is the head's
 * address | 1; the first tail holds compound_dtor, compound_order and compound_nr.
 */
static inline bool PageTail(const struct page *p)
{
	return p->compound_head & 1;
}

static inline bool PageCompound(const struct page *p)
{
	return PageHead(p) || PageTail(p);
}

static inline struct page *compound_head(const struct page *p)
{
	if (p->compound_head & 1)
		return (struct page *)(p->compound_head - 1);
	return (struct page *)p;
}

static inline unsigned int compound_order(const struct page *p)
{
	return PageHead(p) ? p[1].compound_order : 0;
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

/* page_type lives in _mapcount: a type bit is *cleared* when the page has that type. */
#define PAGE_TYPE_BASE 0xf0000000u
#define PG_buddy       0x00000080u

static inline bool PageBuddy(const struct page *p)
{
	return (p->page_type & (PAGE_TYPE_BASE | PG_buddy)) == PAGE_TYPE_BASE;
}

static inline void __SetPageBuddy(struct page *p)
{
	p->page_type &= ~PG_buddy;
}

static inline void __ClearPageBuddy(struct page *p)
{
	p->page_type |= PG_buddy;
}

static inline unsigned int buddy_order(const struct page *p)
{
	return (unsigned int)p->private;
}

static inline int page_count(const struct page *p)
{
	return p->_refcount;
}

static inline void set_page_count(struct page *p, int v)
{
	p->_refcount = v;
}

#endif /* KMM_MM_MM_TYPES_H */
