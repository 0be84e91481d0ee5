/* Injected failures for the next N matching Bot API calls. Not thread-safe:
 * the caller holds the simulator lock. */
#ifndef TGSIM_FAULTS_H
#define TGSIM_FAULTS_H

#include <stddef.h>

typedef enum tgsim_fault_kind {
    TGSIM_FAULT_NONE,
    TGSIM_FAULT_500,
    TGSIM_FAULT_429,
    TGSIM_FAULT_HANG,   /* hold the request hang_ms, then close it unanswered and unexecuted */
    TGSIM_FAULT_DROP,   /* close the connection at once, unanswered and unexecuted */
} tgsim_fault_kind;

typedef struct tgsim_fault {
    char method[64];    /* "*" matches every method */
    int remaining;
    tgsim_fault_kind kind;
    int retry_after;
    int hang_ms;
} tgsim_fault;

typedef struct tgsim_faults {
    tgsim_fault *v;
    size_t n, cap;
} tgsim_faults;

tgsim_fault_kind tgsim_fault_kind_parse(const char *s);
const char *tgsim_fault_kind_name(tgsim_fault_kind k);
int tgsim_faults_add(tgsim_faults *f, const tgsim_fault *fault);
/* Consumes one matching fault (oldest first) into *out; NONE if none matches. */
tgsim_fault_kind tgsim_faults_take(tgsim_faults *f, const char *method, tgsim_fault *out);
void tgsim_faults_clear(tgsim_faults *f);

#endif
