/* The compat layer's binding (linux_api.c): what the rest of the library tells it. */
#ifndef KMM_SIM_LINUX_API_H
#define KMM_SIM_LINUX_API_H

struct kmm_machine;

/* Drops the calling thread's binding if it names @m (called as @m is destroyed). */
void linux_forget_machine(const struct kmm_machine *m);

#endif /* KMM_SIM_LINUX_API_H */
