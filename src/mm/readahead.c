/*
 * Read-ahead of buffered reads: the on-demand window that grows while a file is read
 * sequentially, the PG_readahead mark that starts the next window before the reader needs
 * it, and batched reads of the window's new pages through the filesystem's ->readahead.
 *
 * Models: mm/readahead.c (file_ra_state_init, page_cache_ra_unbounded, do_page_cache_ra,
 *         get_init_ra_size, get_next_ra_size, ondemand_readahead, page_cache_sync_ra,
 *         page_cache_async_ra, read_pages) (Linux 6.1.192).
 * Deviations: order-0 folios only (page_cache_ra_order falls back to do_page_cache_ra as it
 *         does for a filesystem without large folios); no try_context_readahead (a read that
 *         is neither at the start, sequential, nor on a mark reads just what it asked for);
 *         no bdi io_pages above ra_pages; no FMODE_RANDOM, no mmap_miss (the mapping fault's
 *         read-around is filemap.c's).
 * Invariants: none of its own (the window lives in each struct file; the pages it adds are
 *         the page cache's, checked by its walker).
 */
#include "mm/writeback.h"

#include "mm/internal.h"

#define RA_BATCH 64 /* folios handed to ->readahead at once */

void file_ra_state_init(struct file_ra_state *ra)
{
	ra->ra_pages = VM_READAHEAD_KB_DEFAULT / (PAGE_SIZE / 1024);
	ra->prev_pos = -1;
}

/* Models: roundup_pow_of_two(). */
static unsigned long roundup_pow2(unsigned long n)
{
	unsigned long p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

unsigned long get_init_ra_size(unsigned long size, unsigned long max)
{
	unsigned long newsize = roundup_pow2(size);

	if (newsize <= max / 32)
		newsize = newsize * 4;
	else if (newsize <= max / 4)
		newsize = newsize * 2;
	else
		newsize = max;
	return newsize;
}

unsigned long get_next_ra_size(const struct file_ra_state *ra, unsigned long max)
{
	unsigned long cur = ra->size;

	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

/* Models: read_pages(): the batch goes to ->readahead as one request. */
static void read_pages(struct kmm_kernel *k, struct file *file, struct folio **batch,
		       unsigned int *nr)
{
	struct address_space *mapping = file->f_mapping;

	if (!*nr)
		return;
	mapping->a_ops->readahead(k, file, batch, *nr);
	for (unsigned int i = 0; i < *nr; i++)
		folio_put(k, batch[i]);
	*nr = 0;
}

void page_cache_ra_unbounded(struct kmm_kernel *k, struct file *file, pgoff_t index,
			     unsigned long nr_to_read, unsigned long lookahead_size)
{
	struct address_space *mapping = file->f_mapping;
	gfp_t gfp = mapping_gfp_mask(mapping) | __GFP_NORETRY | __GFP_NOWARN;
	struct folio *batch[RA_BATCH];
	unsigned int nr = 0;

	if (!mapping->a_ops || !mapping->a_ops->readahead)
		return;
	for (unsigned long i = 0; i < nr_to_read; i++) {
		void *entry = xa_load(&mapping->i_pages, index + i);
		struct page *page;
		struct folio *folio;

		if (entry && !xa_is_value(entry)) { /* a shadow entry is a miss */
			read_pages(k, file, batch, &nr);
			continue;
		}
		page = alloc_pages(k, gfp, 0);
		if (!page)
			break;
		folio = page_folio(page);
		if (filemap_add_folio(k, mapping, folio, index + i, gfp) < 0) {
			folio_put(k, folio);
			read_pages(k, file, batch, &nr);
			continue;
		}
		if (i == nr_to_read - lookahead_size)
			folio_set_readahead(folio);
		batch[nr++] = folio;
		if (nr == RA_BATCH)
			read_pages(k, file, batch, &nr);
	}
	read_pages(k, file, batch, &nr);
}

/* Models: do_page_cache_ra(): clipped to the file's last page. */
static void do_page_cache_ra(struct kmm_kernel *k, struct file *file, pgoff_t index,
			     unsigned long nr_to_read, unsigned long lookahead_size)
{
	loff_t isize = file_inode(file)->i_size;
	pgoff_t end_index;

	if (isize <= 0)
		return;
	end_index = (pgoff_t)((isize - 1) >> PAGE_SHIFT);
	if (index > end_index)
		return;
	if (nr_to_read > end_index - index)
		nr_to_read = end_index - index + 1;
	page_cache_ra_unbounded(k, file, index, nr_to_read, lookahead_size);
}

/* Models: ondemand_readahead() (order 0; see the essay for what is left out). */
static void ondemand_readahead(struct kmm_kernel *k, struct file *file, struct folio *folio,
			       pgoff_t index, unsigned long req_size)
{
	struct file_ra_state *ra = &file->f_ra;
	unsigned long max_pages = ra->ra_pages;
	unsigned long add_pages;
	pgoff_t expected, prev_index;

	if (!index)
		goto initial_readahead;
	expected = ra->start + ra->size - ra->async_size;
	if (index == expected || index == ra->start + ra->size) {
		ra->start += ra->size;
		ra->size =
			(unsigned int)max((unsigned long)ra->size, get_next_ra_size(ra, max_pages));
		ra->async_size = ra->size;
		goto readit;
	}
	if (folio) {
		/* a mark without a matching window: the cached run ahead tells its size */
		struct address_space *mapping = file->f_mapping;
		pgoff_t start = index + 1;

		while (start - index <= max_pages) {
			void *entry = xa_load(&mapping->i_pages, start);

			if (!entry || xa_is_value(entry))
				break;
			start++;
		}
		if (start - index > max_pages)
			return;
		ra->start = start;
		ra->size = (unsigned int)(start - index + req_size);
		ra->size = (unsigned int)get_next_ra_size(ra, max_pages);
		ra->async_size = ra->size;
		goto readit;
	}
	if (req_size > max_pages)
		goto initial_readahead;
	prev_index = (pgoff_t)((unsigned long long)ra->prev_pos >> PAGE_SHIFT);
	if (index - prev_index <= 1UL)
		goto initial_readahead;
	/* a standalone random read: what was asked, the window left alone */
	do_page_cache_ra(k, file, index, req_size, 0);
	return;

initial_readahead:
	ra->start = index;
	ra->size = (unsigned int)get_init_ra_size(req_size, max_pages);
	ra->async_size = ra->size > req_size ? ra->size - (unsigned int)req_size : ra->size;
readit:
	if (index == ra->start && ra->size == ra->async_size) {
		add_pages = get_next_ra_size(ra, max_pages);
		if (ra->size + add_pages <= max_pages) {
			ra->async_size = (unsigned int)add_pages;
			ra->size += (unsigned int)add_pages;
		} else {
			ra->size = (unsigned int)max_pages;
			ra->async_size = (unsigned int)(max_pages >> 1);
		}
	}
	do_page_cache_ra(k, file, ra->start, ra->size, ra->async_size);
}

void page_cache_sync_ra(struct kmm_kernel *k, struct file *file, pgoff_t index,
			unsigned long req_count)
{
	struct file_ra_state *ra = &file->f_ra;

	if (!file->f_mapping->a_ops || !file->f_mapping->a_ops->readahead)
		return;
	if (!ra->ra_pages) {
		/* read-ahead off: the one page asked for, as force_page_cache_ra does */
		do_page_cache_ra(k, file, index, 1, 0);
		return;
	}
	ondemand_readahead(k, file, NULL, index, req_count);
}

void page_cache_async_ra(struct kmm_kernel *k, struct file *file, struct folio *folio,
			 unsigned long req_count)
{
	if (!file->f_ra.ra_pages || folio_test_writeback(folio))
		return;
	folio_clear_readahead(folio);
	ondemand_readahead(k, file, folio, folio->index, req_count);
}

void folio_wait_read(struct kmm_kernel *k, struct folio *folio)
{
	uint64_t done = folio->private;

	if (!done)
		return;
	if (done > k->env->cycles && !k->env->evq.running) {
		env_sleep(k->env, done - k->env->cycles);
		env_run_due(k->env);
	}
	folio->private = 0;
}
