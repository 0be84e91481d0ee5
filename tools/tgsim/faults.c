#include "faults.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

tgsim_fault_kind tgsim_fault_kind_parse(const char *s)
{
    if (!s)
        return TGSIM_FAULT_NONE;
    if (!strcmp(s, "500"))
        return TGSIM_FAULT_500;
    if (!strcmp(s, "429"))
        return TGSIM_FAULT_429;
    if (!strcmp(s, "hang"))
        return TGSIM_FAULT_HANG;
    if (!strcmp(s, "drop"))
        return TGSIM_FAULT_DROP;
    return TGSIM_FAULT_NONE;
}

const char *tgsim_fault_kind_name(tgsim_fault_kind k)
{
    static const char *const names[] = {"none", "500", "429", "hang", "drop"};
    return names[k];
}

int tgsim_faults_add(tgsim_faults *f, const tgsim_fault *fault)
{
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 8;
        tgsim_fault *nv = realloc(f->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        f->v = nv;
        f->cap = ncap;
    }
    f->v[f->n++] = *fault;
    return 0;
}

tgsim_fault_kind tgsim_faults_take(tgsim_faults *f, const char *method, tgsim_fault *out)
{
    for (size_t i = 0; i < f->n; i++) {
        tgsim_fault *x = &f->v[i];
        /* Telegram method names are case-insensitive, so are fault filters */
        if (strcmp(x->method, "*") && strcasecmp(x->method, method))
            continue;
        *out = *x;
        if (--x->remaining <= 0) {
            memmove(x, x + 1, (f->n - i - 1) * sizeof *x);
            f->n--;
        }
        return out->kind;
    }
    return TGSIM_FAULT_NONE;
}

void tgsim_faults_clear(tgsim_faults *f)
{
    free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}
