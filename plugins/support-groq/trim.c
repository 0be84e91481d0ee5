/* support-groq: token estimate and trimming, see trim.h. */
#include "trim.h"

int64_t sup_tokens(const char *s)
{
    int64_t quarter = 0; /* in quarters of a token */
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (*p < 0x80)
            quarter += 1;
        else if ((*p & 0xC0) != 0x80) /* the lead byte of a multi-byte character */
            quarter += 2;
    }
    return (quarter + 3) / 4 + 4;
}

size_t sup_trim(const int64_t *tokens, size_t n, int64_t budget)
{
    if (n == 0)
        return 0;
    int64_t sum = tokens[n - 1];
    size_t first = n - 1;
    while (first > 0 && sum + tokens[first - 1] <= budget) {
        first--;
        sum += tokens[first];
    }
    return first;
}
