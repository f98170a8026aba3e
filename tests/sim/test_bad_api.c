/*
 * Bad inputs to every public header, as a table (issue 13): each row is one call with one
 * bad argument, the status it must return and what its error text (kmm_last_error of the
 * machine, or of no machine) must name, or no text where the call is harmless (a no-op the
 * kernel accepts too). After the table the machine must still pass kmm_check: no bad input
 * changed it.
 *
 * The expectations are derived from the public contract, not from the library's output: the
 * status is the kernel's errno for the case (or the header's status for a malformed C call),
 * and .need lists the pieces include/kmm/types.h ("Error texts") says a refusal must name:
 * the call, the argument refused by its parameter name ("NULL buf", "order 11"), the value
 * given, and the rule (the bound from the call's header, or the kernel's name for the check).
 * Every piece must appear in the text; .never is a piece of another cause that a call refused
 * for one reason must not mention (the split of the lumped texts). Before each row a sentinel error
 * is planted, so a call that fails without setting its own text fails the row. Values known only at
 * run time are placeholders: %P the allocated pfn, %S the destroyed cache, %C the live cache, %L
 * the mempool, %G the exited pid, %N the size /proc/meminfo needs (its length + 1).
 *
 * A row is data: an operation (enum op, run by call()), which machine (the live one, NULL, a
 * dead one), up to four integer arguments, two strings and whether an output is NULL. The
 * handles a row may need (a live cache, a destroyed one, a mempool passed as a cache) are
 * made once, before the table, and named by the H_* values.
 */
#include "kmm_test.h"

#include <inttypes.h>

#include <kmm/mmu.h>
#include <kmm/task.h>
#include <kmm/scenario.h>
#include <kmm/swap.h>
#include <kmm/trace.h>

#include "sim/machine.h"

enum mach { LIVE, NOM, DEAD, FRESH /* a machine of its own, for rows that kill it */ };

/* Handle arguments resolved at run time. */
#define H_CACHE	  0xf000000000000001ull /* a live cache */
#define H_STALE	  0xf000000000000002ull /* a destroyed cache */
#define H_POOL	  0xf000000000000003ull /* a live mempool */
#define H_PFN	  0xf000000000000004ull /* an allocated order-0 page */
#define H_VA	  0xf000000000000005ull /* a kmalloc'ed object */
#define H_VMALLOC 0xf000000000000006ull /* a vmalloc'ed area */
#define H_PID	  0xf000000000000007ull /* a live task */
#define H_GONE	  0xf000000000000008ull /* a task that has exited */
#define H_TASK_VA 0xf000000000000009ull /* a mapping of the live task (4 pages) */
#define MADE_UP	  0x0000beef00000777ull

enum op {
	OP_CREATE,
	OP_PROC_READ,
	OP_PROC_SHOW,
	OP_SYSCTL,
	OP_REPORT_GET,
	OP_CPU_SET,
	OP_PHYS_READ,
	OP_PHYS_WRITE,
	OP_CHECK,
	OP_GFP_PARSE,
	OP_ALLOC_PAGES,
	OP_ALLOC_PAGES_NODE,
	OP_FREE_PAGES,
	OP_GET_PAGE,
	OP_SPLIT_PAGE,
	OP_ALLOC_BULK,
	OP_ALLOC_EXACT,
	OP_FREE_EXACT,
	OP_CONTIG,
	OP_FREE_CONTIG,
	OP_CMA_ALLOC,
	OP_CMA_RELEASE,
	OP_ISOLATE,
	OP_PAGE_INFO,
	OP_VIRT_TO_PHYS,
	OP_CACHE_CREATE,
	OP_CACHE_DESTROY,
	OP_CACHE_SHRINK,
	OP_CACHE_ALLOC,
	OP_CACHE_ALLOC_NODE,
	OP_CACHE_FREE,
	OP_CACHE_ALLOC_BULK,
	OP_CACHE_INFO,
	OP_SLAB_INFO,
	OP_KMALLOC,
	OP_KMALLOC_NODE,
	OP_KMALLOC_ARRAY,
	OP_KREALLOC,
	OP_KFREE,
	OP_KSIZE,
	OP_POOL_SLAB,
	OP_POOL_KMALLOC,
	OP_POOL_PAGE,
	OP_POOL_ALLOC,
	OP_POOL_FREE,
	OP_POOL_RESIZE,
	OP_POOL_DESTROY,
	OP_POOL_INFO,
	OP_VMALLOC,
	OP_VMALLOC_NODE,
	OP_VMALLOC_HUGE,
	OP_VMALLOC_RANGE,
	OP_VFREE,
	OP_VMAP,
	OP_VUNMAP,
	OP_IOREMAP,
	OP_IOUNMAP,
	OP_VMALLOC_TO_PFN,
	OP_FIND_VM_AREA,
	OP_VMALLOC_STATS,
	OP_CFG_SET_RAM,
	OP_CFG_ADD_BANK,
	OP_CFG_ADD_MMIO,
	OP_CFG_ADD_NODE,
	OP_CFG_DISTANCE,
	OP_CFG_RESERVE,
	OP_CFG_SYSCTL,
	OP_CFG_COST,
	OP_CFG_APPEND,
	OP_CFG_OPTION,
	OP_PARSE_SIZE,
	OP_SCENARIO,
	OP_TRACE_ENABLE,
	OP_MMU_SET_REG,
	OP_MMU_GET_REG,
	OP_MMU_CPU_MODEL,
	OP_CPU_ACCESS,
	OP_TLBI_NAME,
	OP_TLB_STATS,
	OP_TASK_CREATE,
	OP_TASK_FORK,
	OP_TASK_EXIT,
	OP_TASK_SET_CPU,
	OP_TASK_INFO,
	OP_TASK_SET_OOM_ADJ,
	OP_TASK_OOM_SCORE,
	OP_TASK_ACCESS,
	OP_TASK_TOUCH,
	OP_MMAP,
	OP_MMAP_FIXED,
	OP_MUNMAP,
	OP_BRK,
	OP_FILE_CREATE,
	OP_FILE_UNLINK,
	OP_FILE_OPEN,
	OP_FILE_CLOSE,
	OP_FILE_PREAD,
	OP_MEMFD_CREATE,
	OP_MEMFD_GET_SEALS,
	OP_GUP,
	OP_PUT_USER_PAGE,
	OP_SWAPON,
	OP_SWAPOFF,
	OP_SWAP_STATS,
	OP_ZRAM_STAT,
};

struct row {
	const char *what;
	enum op op;
	enum mach mach;
	uint64_t a, b, c, d;
	const char *s, *s2;
	bool null_out;
	enum kmm_status want;
	const char *need[6]; /* what kmm_last_error must name (all of them); none if harmless */
	const char *never;   /* a piece of another cause, which a one-cause text must not name */
};

static struct kmm_machine *live, *dead;
static struct kmm_config fresh_cfg;
static kmm_cache_t cache, stale;
static kmm_mempool_t pool;
static kmm_pfn_t pfn;
static kmm_va_t kva, vva, task_va;
static kmm_pid_t task_pid, gone_pid;

static uint64_t h(uint64_t v)
{
	switch (v) {
	case H_CACHE:
		return cache;
	case H_STALE:
		return stale;
	case H_POOL:
		return pool;
	case H_PFN:
		return pfn;
	case H_VA:
		return kva;
	case H_VMALLOC:
		return vva;
	case H_PID:
		return (uint64_t)task_pid;
	case H_GONE:
		return (uint64_t)gone_pid;
	case H_TASK_VA:
		return task_va;
	}
	return v;
}

static void sink(void *arg, const char *text, size_t len)
{
	(void)arg, (void)text, (void)len;
}

static enum kmm_status call(const struct row *r, struct kmm_machine *m)
{
	uint64_t a = h(r->a), b = h(r->b), c = h(r->c), d = h(r->d);
	static char buf[4096];
	kmm_va_t va, vas[4] = {0};
	kmm_pfn_t p, pfns[4] = {0};
	struct kmm_config cfg;
	size_t sz;
	int i1, i2;
	uint64_t u;
	kmm_gfp_t g;
	struct kmm_slab_info si;
	struct kmm_vm_area area;
	struct kmm_vmalloc_stats vs;
	struct kmm_page_info pi;
	struct kmm_report rep;
	struct kmm_tlb_stats ts;
	kmm_pa_t pa;
	bool no = r->null_out;

	kmm_config_init(&cfg);
	switch (r->op) {
	case OP_CREATE:
		if (r->s)
			kmm_config_option(&cfg, r->s, r->s2);
		if (a)
			cfg.nr_cpus = (uint32_t)a;
		return kmm_machine_create(b ? NULL : &cfg, no ? NULL : &m);
	case OP_PROC_READ:
		return kmm_proc_read(m, r->s, no ? NULL : buf, a);
	case OP_PROC_SHOW:
		return kmm_proc_show(m, r->s, no ? NULL : sink, NULL);
	case OP_SYSCTL:
		return kmm_sysctl(m, r->s, r->s2);
	case OP_REPORT_GET:
		return kmm_report_get(m, a, no ? NULL : &rep);
	case OP_CPU_SET:
		return kmm_cpu_set(m, (unsigned)a);
	case OP_PHYS_READ:
		return kmm_phys_read(m, a, no ? NULL : buf, b);
	case OP_PHYS_WRITE:
		return kmm_phys_write(m, a, no ? NULL : buf, b);
	case OP_CHECK:
		return kmm_check(m);
	case OP_GFP_PARSE:
		return kmm_gfp_parse(r->s, no ? NULL : &g);
	case OP_ALLOC_PAGES:
		return kmm_alloc_pages(m, (kmm_gfp_t)a, (unsigned)b, no ? NULL : &p);
	case OP_ALLOC_PAGES_NODE:
		return kmm_alloc_pages_node(m, (int)a, (kmm_gfp_t)b, (unsigned)c, no ? NULL : &p);
	case OP_FREE_PAGES:
		return kmm_free_pages(m, a, (unsigned)b);
	case OP_GET_PAGE:
		return kmm_get_page(m, a);
	case OP_SPLIT_PAGE:
		return kmm_split_page(m, a, (unsigned)b);
	case OP_ALLOC_BULK:
		return kmm_alloc_pages_bulk(m, (kmm_gfp_t)a, b, no ? NULL : pfns, &sz);
	case OP_ALLOC_EXACT:
		return kmm_alloc_pages_exact(m, a, (kmm_gfp_t)b, no ? NULL : &va);
	case OP_FREE_EXACT:
		return kmm_free_pages_exact(m, a, b);
	case OP_CONTIG:
		return kmm_alloc_contig_range(m, a, b, (enum kmm_migratetype)c);
	case OP_FREE_CONTIG:
		return kmm_free_contig_range(m, a, b);
	case OP_CMA_ALLOC:
		return kmm_cma_alloc(m, a, (unsigned)b, no ? NULL : &p);
	case OP_CMA_RELEASE:
		return kmm_cma_release(m, a, b);
	case OP_ISOLATE:
		return kmm_isolate_range(m, a, b, (enum kmm_migratetype)c);
	case OP_PAGE_INFO:
		return kmm_page_info(m, a, no ? NULL : &pi);
	case OP_VIRT_TO_PHYS:
		return kmm_virt_to_phys(m, a, no ? NULL : &pa);
	case OP_CACHE_CREATE:
		return kmm_kmem_cache_create(m, r->s, (unsigned)a, (unsigned)b, (uint32_t)c, NULL,
					     NULL, no ? NULL : &u);
	case OP_CACHE_DESTROY:
		return kmm_kmem_cache_destroy(m, a);
	case OP_CACHE_SHRINK:
		return kmm_kmem_cache_shrink(m, a);
	case OP_CACHE_ALLOC:
		return kmm_kmem_cache_alloc(m, a, (kmm_gfp_t)b, no ? NULL : &va);
	case OP_CACHE_ALLOC_NODE:
		return kmm_kmem_cache_alloc_node(m, a, (kmm_gfp_t)b, (int)c, no ? NULL : &va);
	case OP_CACHE_FREE:
		return kmm_kmem_cache_free(m, a, b);
	case OP_CACHE_ALLOC_BULK:
		return kmm_kmem_cache_alloc_bulk(m, a, (kmm_gfp_t)b, c, no ? NULL : vas);
	case OP_CACHE_INFO:
		return kmm_kmem_cache_info(m, a, no ? NULL : &si);
	case OP_SLAB_INFO:
		return kmm_slab_info(m, r->s, no ? NULL : &si);
	case OP_KMALLOC:
		return kmm_kmalloc(m, a, (kmm_gfp_t)b, no ? NULL : &va);
	case OP_KMALLOC_NODE:
		return kmm_kmalloc_node(m, a, (kmm_gfp_t)b, (int)c, no ? NULL : &va);
	case OP_KMALLOC_ARRAY:
		return kmm_kmalloc_array(m, a, b, (kmm_gfp_t)c, no ? NULL : &va);
	case OP_KREALLOC:
		return kmm_krealloc(m, a, b, (kmm_gfp_t)c, no ? NULL : &va);
	case OP_KFREE:
		return kmm_kfree(m, a);
	case OP_KSIZE:
		return kmm_ksize(m, a, no ? NULL : &sz);
	case OP_POOL_SLAB:
		return kmm_mempool_create_slab(m, (int)a, b, no ? NULL : &u);
	case OP_POOL_KMALLOC:
		return kmm_mempool_create_kmalloc(m, (int)a, b, no ? NULL : &u);
	case OP_POOL_PAGE:
		return kmm_mempool_create_page(m, (int)a, (unsigned)b, no ? NULL : &u);
	case OP_POOL_ALLOC:
		return kmm_mempool_alloc(m, a, (kmm_gfp_t)b, no ? NULL : &va);
	case OP_POOL_FREE:
		return kmm_mempool_free(m, a, b);
	case OP_POOL_RESIZE:
		return kmm_mempool_resize(m, a, (int)b);
	case OP_POOL_DESTROY:
		return kmm_mempool_destroy(m, a);
	case OP_POOL_INFO:
		return kmm_mempool_info(m, a, no ? NULL : &i1, &i2);
	case OP_VMALLOC:
		return kmm_vmalloc(m, a, no ? NULL : &va);
	case OP_VMALLOC_NODE:
		return kmm_vmalloc_node(m, a, (int)b, no ? NULL : &va);
	case OP_VMALLOC_HUGE:
		return kmm_vmalloc_huge(m, a, (kmm_gfp_t)b, no ? NULL : &va);
	case OP_VMALLOC_RANGE:
		return kmm_vmalloc_node_range(m, a, b, c, d, KMM_GFP_KERNEL, 0, -1,
					      no ? NULL : &va);
	case OP_VFREE:
		return kmm_vfree(m, a);
	case OP_VMAP:
		pfns[0] = b;
		return kmm_vmap(m, no ? NULL : pfns, (unsigned)a, &va);
	case OP_VUNMAP:
		return kmm_vunmap(m, a);
	case OP_IOREMAP:
		return kmm_ioremap(m, a, b, no ? NULL : &va);
	case OP_IOUNMAP:
		return kmm_iounmap(m, a);
	case OP_VMALLOC_TO_PFN:
		return kmm_vmalloc_to_pfn(m, a, no ? NULL : &p);
	case OP_FIND_VM_AREA:
		return kmm_find_vm_area(m, a, no ? NULL : &area);
	case OP_VMALLOC_STATS:
		return kmm_vmalloc_stats(m, no ? NULL : &vs);
	case OP_CFG_SET_RAM:
		return kmm_config_set_ram(no ? NULL : &cfg, a);
	case OP_CFG_ADD_BANK:
		kmm_config_add_bank(&cfg, 0x40000000, 1 << 30);
		return kmm_config_add_bank(no ? NULL : &cfg, a, b);
	case OP_CFG_ADD_MMIO:
		return kmm_config_add_mmio(no ? NULL : &cfg, a, b, r->s);
	case OP_CFG_ADD_NODE:
		return kmm_config_add_node(no ? NULL : &cfg, (uint32_t)a, b, true, (uint32_t)c,
					   (uint32_t)d);
	case OP_CFG_DISTANCE:
		return kmm_config_set_distance(no ? NULL : &cfg, (uint32_t)a, (uint32_t)b,
					       (uint32_t)c);
	case OP_CFG_RESERVE:
		return kmm_config_add_reserve(no ? NULL : &cfg, a, b);
	case OP_CFG_SYSCTL:
		return kmm_config_add_sysctl(no ? NULL : &cfg, r->s, r->s2);
	case OP_CFG_COST:
		return kmm_config_set_cost(no ? NULL : &cfg, r->s, (uint32_t)a);
	case OP_CFG_APPEND:
		return kmm_config_append(no ? NULL : &cfg, r->s);
	case OP_CFG_OPTION:
		return kmm_config_option(no ? NULL : &cfg, r->s, r->s2);
	case OP_PARSE_SIZE:
		return kmm_parse_size(r->s, no ? NULL : &u);
	case OP_TRACE_ENABLE:
		return kmm_trace_enable(m, r->s, true);
	case OP_SCENARIO:
		return kmm_scenario_run(r->s, "bad", NULL, sink, NULL);
	case OP_MMU_SET_REG:
		return kmm_mmu_set_reg(m, (unsigned)a, (enum kmm_mmu_reg)b, c);
	case OP_MMU_GET_REG:
		return kmm_mmu_get_reg(m, (unsigned)a, (enum kmm_mmu_reg)b, no ? NULL : &u);
	case OP_MMU_CPU_MODEL:
		return kmm_mmu_set_cpu_model(m, r->s);
	case OP_CPU_ACCESS:
		return kmm_cpu_access(m, (unsigned)a, (enum kmm_access)d, b, no ? NULL : buf, c,
				      NULL);
	case OP_TLBI_NAME:
		return kmm_tlbi_by_name(m, (unsigned)a, r->s, b);
	case OP_TLB_STATS:
		return kmm_tlb_stats(m, (unsigned)a, no ? NULL : &ts);
	case OP_TASK_CREATE:
		return kmm_task_create(m, r->s, (unsigned)a, no ? NULL : &i1);
	case OP_TASK_FORK:
		return kmm_task_fork(m, (kmm_pid_t)a, no ? NULL : &i1);
	case OP_TASK_EXIT:
		return kmm_task_exit(m, (kmm_pid_t)a, (int)b);
	case OP_TASK_SET_CPU:
		return kmm_task_set_cpu(m, (kmm_pid_t)a, (unsigned)b);
	case OP_TASK_INFO: {
		struct kmm_task_info ti;
		return kmm_task_info(m, (kmm_pid_t)a, no ? NULL : &ti);
	}
	case OP_TASK_SET_OOM_ADJ:
		return kmm_task_set_oom_score_adj(m, (kmm_pid_t)a, (int)b);
	case OP_TASK_OOM_SCORE: {
		unsigned long score;
		return kmm_task_oom_score(m, (kmm_pid_t)a, NULL, &score);
	}
	case OP_TASK_ACCESS:
		return kmm_task_access(m, (kmm_pid_t)a, (enum kmm_access)d, b, no ? NULL : buf, c,
				       NULL);
	case OP_TASK_TOUCH:
		return kmm_task_touch(m, (kmm_pid_t)a, KMM_ACCESS_LOAD, b, c, d, KMM_TOUCH_SEQ, 0,
				      NULL);
	case OP_MMAP: /* prot and flags packed in d: prot << 32 | flags */
		return kmm_mmap(m, (kmm_pid_t)a, b, c, (int)(d >> 32), (int)(uint32_t)d, -1, 0,
				no ? NULL : &va);
	case OP_MMAP_FIXED: /* d: the file offset */
		return kmm_mmap(m, (kmm_pid_t)a, b, c, KMM_PROT_READ,
				KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS | KMM_MAP_FIXED, -1, d, &va);
	case OP_MUNMAP:
		return kmm_munmap(m, (kmm_pid_t)a, b, c);
	case OP_BRK:
		return kmm_brk(m, (kmm_pid_t)a, b, no ? NULL : &va);
	case OP_FILE_CREATE:
		return kmm_file_create(m, r->s, NULL, a);
	case OP_FILE_UNLINK:
		return kmm_file_unlink(m, r->s);
	case OP_FILE_OPEN:
		return kmm_file_open(m, (kmm_pid_t)a, r->s, (int)b, &i1);
	case OP_FILE_CLOSE:
		return kmm_file_close(m, (kmm_pid_t)a, (int)b);
	case OP_FILE_PREAD:
		return kmm_file_pread(m, (kmm_pid_t)a, (int)b, buf, c, d, no ? NULL : &u);
	case OP_MEMFD_CREATE:
		return kmm_memfd_create(m, (kmm_pid_t)a, r->s, (unsigned)b, &i1);
	case OP_GUP:
		return kmm_get_user_pages(m, (kmm_pid_t)a, b, c, (unsigned)d, pfns, &u);
	case OP_PUT_USER_PAGE:
		return kmm_put_user_page(m, a, (unsigned)b);
	case OP_MEMFD_GET_SEALS:
		return kmm_memfd_get_seals(m, (kmm_pid_t)a, (int)b, no ? NULL : &i1);
	case OP_SWAPON: { /* a: kind, b: bytes, c: swap flags, s: name, s2: host file */
		struct kmm_swap_config sc = {.kind = (enum kmm_swap_kind)a,
					     .name = r->s,
					     .bytes = b,
					     .host_path = r->s2,
					     .swap_flags = (int)c};
		return kmm_swapon(m, no ? NULL : &sc);
	}
	case OP_SWAPOFF:
		return kmm_swapoff(m, r->s);
	case OP_SWAP_STATS: {
		struct kmm_swap_stats st;
		return kmm_swap_stats(m, no ? NULL : &st);
	}
	case OP_ZRAM_STAT: {
		struct kmm_zram_stat zs;
		return kmm_zram_stat(m, r->s, no ? NULL : &zs);
	}
	}
	return KMM_EIO;
}

#include "test_bad_api_rows.h"

/* Expands the run-time placeholders of a need (see the top). */
static const char *expand(const char *need, char *buf, size_t len)
{
	static char view[16384];
	uint64_t v;

	if (need[0] != '%')
		return need;
	switch (need[1]) {
	case 'P':
		v = pfn;
		break;
	case 'S':
		v = stale;
		break;
	case 'C':
		v = cache;
		break;
	case 'L':
		v = pool;
		break;
	case 'G':
		snprintf(buf, len, "%d", (int)gone_pid);
		return buf;
	case 'N':
		if (kmm_proc_read(live, "/proc/meminfo", view, sizeof(view)))
			return "(cannot read /proc/meminfo)";
		snprintf(buf, len, "%zu", strlen(view) + 1);
		return buf;
	default:
		return need;
	}
	snprintf(buf, len, "%#" PRIx64, v);
	return buf;
}

/* The pid placeholder inside a need ("pid %G"). */
static const char *expand_in(const char *need, char *buf, size_t len)
{
	const char *pct = strchr(need, '%');
	char sub[64];

	if (!pct || pct == need)
		return expand(need, buf, len);
	snprintf(buf, len, "%.*s%s", (int)(pct - need), need, expand(pct, sub, sizeof(sub)));
	return buf;
}

#define SENTINEL "__bad_api_sentinel__"

/* Plants a known error text, so that a refused call must replace it with its own. */
static void plant_sentinel(struct kmm_machine *m)
{
	char buf[8];
	uint64_t u;

	kmm_parse_size(SENTINEL, &u);
	if (m)
		kmm_proc_read(m, "/proc/" SENTINEL, buf, sizeof(buf));
}

static void test_bad_api_table(void **state)
{
	size_t n = sizeof(rows) / sizeof(rows[0]), bad = 0;
	bool learn = getenv("KMM_BAD_API_LEARN") != NULL;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct kmm_machine *m = r->mach == LIVE ? live : r->mach == DEAD ? dead : NULL;
		enum kmm_status st;
		const char *miss = NULL;
		char buf[128];

		if (r->mach == FRESH)
			m = test_machine(&fresh_cfg);
		plant_sentinel(m ? m : live);
		st = call(r, m);
		const char *text = kmm_last_error(r->mach == NOM ? NULL : m);
		bool ok = st == r->want;

		if (ok && st != KMM_OK) {
			if (!r->need[0])
				miss = "(the row names nothing the text must name)";
			else if (strstr(text, SENTINEL))
				miss = "(the call set no text of its own)";
			for (size_t k = 0; !miss && k < 6 && r->need[k]; k++)
				if (!strstr(text, expand_in(r->need[k], buf, sizeof(buf))))
					miss = expand_in(r->need[k], buf, sizeof(buf));
			if (!miss && r->never && strstr(text, r->never))
				miss = "(it names another cause too)";
			ok = !miss;
		}
		if (learn || !ok)
			print_message("%s%3zu %-50s %s \"%s\"%s%s\n", ok ? "" : "MISMATCH ", i,
				      r->what, kmm_status_name(st), st ? text : "",
				      miss ? " lacks " : "", miss ? miss : "");
		bad += !ok;
		if (r->mach == FRESH)
			kmm_machine_destroy(m);
	}
	print_message("%zu rows\n", n);
	assert_int_equal(bad, 0);
	assert_true(n >= 90);
}

static int setup(void **state)
{
	struct kmm_config cfg;
	kmm_mempool_t p2;

	(void)state;
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "128M");
	kmm_config_option(&cfg, "-smp", "2");
	kmm_config_append(&cfg, "cma=8M");
	live = test_machine(&cfg);
	fresh_cfg = cfg;
	dead = test_machine(&cfg);
	dead->env.dead = true;
	if (kmm_kmem_cache_create(live, "bad_api", 64, 0, 0, NULL, NULL, &cache) ||
	    kmm_kmem_cache_create(live, "bad_api_stale", 96, 0, 0, NULL, NULL, &stale) ||
	    kmm_kmem_cache_destroy(live, stale) || kmm_mempool_create_kmalloc(live, 2, 64, &pool) ||
	    kmm_mempool_create_kmalloc(live, 2, 64, &p2) || kmm_mempool_destroy(live, p2) ||
	    kmm_alloc_pages(live, KMM_GFP_KERNEL, 0, &pfn) ||
	    kmm_kmalloc(live, 100, KMM_GFP_KERNEL, &kva) || kmm_vmalloc(live, 8192, &vva) ||
	    kmm_task_create(live, "bad_api", 0, &task_pid) ||
	    kmm_task_create(live, "gone", 1, &gone_pid) || kmm_task_exit(live, gone_pid, 0) ||
	    kmm_mmap(live, task_pid, 0, 4 * 4096, KMM_PROT_READ | KMM_PROT_WRITE,
		     KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &task_va))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kmm_task_exit(live, task_pid, 0);
	kmm_vfree(live, vva);
	kmm_kfree(live, kva);
	kmm_free_pages(live, pfn, 0);
	kmm_mempool_destroy(live, pool);
	kmm_kmem_cache_destroy(live, cache);
	test_machine_done(live);
	kmm_machine_destroy(dead);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_api_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
