/*
 * Public khugepaged call (include/kmm/machine.h: kmm_khugepaged_scan): @scans passes of
 * khugepaged_do_scan run now through khugepaged.c's khugepaged_scan_now().
 */
#include <kmm/machine.h>

#include "mm/khugepaged.h"
#include "sim/api.h"

API_BODY(khugepaged_scan, {
	unsigned int scans;
	unsigned int *done;
})
{
	unsigned int done;

	if (p->scans > 1000000)
		return api_error(a, KMM_EINVAL, "%u passes (at most 1000000 at once)", p->scans);
	done = khugepaged_scan_now(a->k, p->scans);
	if (p->done)
		*p->done = done;
	return KMM_OK;
}

enum kmm_status kmm_khugepaged_scan(struct kmm_machine *m, unsigned int scans, unsigned int *done)
{
	return API_CALL(m, API_BOOTED, khugepaged_scan, scans, done);
}
