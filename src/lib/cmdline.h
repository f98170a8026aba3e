/*
 * Command-line helpers shared by the kernel's parameters (src/kernel/params.c) and the
 * simulator's options (src/sim): see cmdline.c.
 */
#ifndef KMM_LIB_CMDLINE_H
#define KMM_LIB_CMDLINE_H

#include <kmm/types.h>
#include <stdint.h>

/*
 * Parses a size such as 512M, 2G, 0x1000 or 4GiB into @out. Returns KMM_OK, or KMM_EINVAL
 * with the reason as the no-machine error text (kmm_error_nomachine); @out is then untouched.
 */
enum kmm_status parse_size(const char *text, uint64_t *out);

/*
 * Models: lib/cmdline.c:memparse(): the number at @s (C notation: 0x.., 0..) times its
 * optional K..E suffix; *@retptr (if not NULL) points past what was read. Never fails: no
 * digits read as 0, overflow wraps, as the kernel's.
 */
uint64_t memparse(const char *s, char **retptr);

#endif /* KMM_LIB_CMDLINE_H */
