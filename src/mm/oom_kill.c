/*
 * The OOM killer's entry point for the page allocator.
 *
 * Models: mm/oom_kill.c:out_of_memory() and dump_header() (Linux 6.1.192) for a system with
 *         no killable task.
 * Deviation: the kernel panics ("System is deadlocked on memory") when no task can be
 *         killed. libkmm has no tasks until the process model exists, so out_of_memory()
 *         prints the kernel's header and "Out of memory and no killable processes...",
 *         raises a warning report, and returns false: the allocation then fails with the
 *         page allocation failure warning and the machine stays usable.
 */

#include "lib/bug.h"
#include "mm/gfp.h"
#include "mm/internal.h"

#define KMM_FILE "mm/oom_kill.c"

bool out_of_memory(struct kmm_kernel *k, unsigned int gfp, int order,
		   const struct alloc_context *ac)
{
	char flags[256];

	format_gfp(gfp, flags, sizeof(flags));
	env_printk(k->env,
		   "kmmsim invoked oom-killer: gfp_mask=%#x(%s), order=%d, oom_score_adj=0\n", gfp,
		   flags, order);
	__show_mem(k, ac->nodemask, gfp_zone(gfp));
	env_printk(k->env, "Out of memory and no killable processes...\n");
	bug_report(k->env, KMM_REPORT_WARN, BUG_SITE(0, "out_of_memory", "no killable processes"),
		   "kmmsim invoked oom-killer: gfp_mask=%#x(%s), order=%d: Out of memory and no "
		   "killable processes...",
		   gfp, flags, order);
	return false;
}
