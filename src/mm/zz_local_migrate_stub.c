/* LOCAL ONLY, never committed: lets compaction link until migrate lands on w4. */
#include <errno.h>
#include "mm/migrate.h"
#include "mm/internal.h"
#include "mm/swap.h"
int migrate_pages(struct kmm_kernel *k, struct list_head *from, new_page_t get_new_page,
		  free_page_t put_new_page, unsigned long private, enum migrate_mode mode,
		  int reason, unsigned int *nr_succeeded)
{
	(void)k;(void)from;(void)get_new_page;(void)put_new_page;(void)private;(void)mode;(void)reason;
	if (nr_succeeded) *nr_succeeded = 0;
	return -EAGAIN;
}
void putback_movable_pages(struct kmm_kernel *k, struct list_head *l)
{
	while (!list_empty(l)) {
		struct folio *folio = list_first_entry(l, struct folio, lru);
		list_del(&folio->lru);
		__mod_node_page_state(NODE_DATA(k, page_to_nid(&folio->page)), NR_ISOLATED_ANON + folio_is_file_lru(folio), -(long)folio_nr_pages(folio));
		folio_putback_lru(k, folio);
	}
}
