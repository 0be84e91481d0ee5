/* support-groq: key rotation, see keys.h. */
#include "keys.h"

int sup_keys_classify(int32_t status, int with_tools)
{
    if (status >= 200 && status < 300)
        return SUP_OUT_OK;
    if (status == 401 || status == 403)
        return SUP_OUT_AUTH;
    if (status == 429)
        return SUP_OUT_RATE;
    if (status == 0 || status >= 500 || status == 498 || status == 408)
        return SUP_OUT_TRANSIENT;
    if (status == 400 && with_tools)
        return SUP_OUT_TOOLS;
    return SUP_OUT_FATAL;
}

int sup_keys_report(sup_keyring *r, int idx, int outcome, int64_t retry_after_s, int64_t now)
{
    if (idx < 0 || idx >= r->n)
        return 0;
    sup_key *k = &r->k[idx];
    switch (outcome) {
    case SUP_OUT_AUTH:
        if (k->revoked)
            return 0;
        k->revoked = 1;
        return 1;
    case SUP_OUT_RATE:
        k->cool_until = now + (retry_after_s > 0 ? retry_after_s : 10) * 1000;
        return 0;
    default:
        return 0;
    }
}

static int usable(const sup_key *k, int64_t now) { return !k->revoked && k->cool_until <= now; }

int sup_keys_pick(sup_keyring *r, int64_t now, uint32_t tried, int retry, int64_t *wait_ms)
{
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && !retry)
            break;
        for (int j = 0; j < r->n; j++) {
            int i = (r->next + j) % r->n;
            if (!usable(&r->k[i], now) || (pass == 0 && (tried & (1u << i))))
                continue;
            r->next = (i + 1) % r->n;
            return i;
        }
    }
    if (wait_ms) {
        int64_t soonest = 0;
        for (int i = 0; i < r->n; i++)
            if (!r->k[i].revoked && r->k[i].cool_until > now &&
                (soonest == 0 || r->k[i].cool_until - now < soonest))
                soonest = r->k[i].cool_until - now;
        *wait_ms = soonest;
    }
    return -1;
}

void sup_keys_count(const sup_keyring *r, int64_t now, int *usable_n, int *cooling, int *revoked)
{
    *usable_n = *cooling = *revoked = 0;
    for (int i = 0; i < r->n; i++) {
        if (r->k[i].revoked)
            (*revoked)++;
        else if (r->k[i].cool_until > now)
            (*cooling)++;
        else
            (*usable_n)++;
    }
}
