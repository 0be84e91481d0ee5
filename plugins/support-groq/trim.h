/* support-groq: what of the conversation the model sees (pure). Tokens
 * are estimated, not counted: a model's tokenizer is not ours to run, and
 * the budget only has to keep the prompt's cost bounded. Llama-3's
 * tokenizer gives about 4 characters of Latin text and 2–3 of Cyrillic
 * per token; the estimate errs high. */
#ifndef SUPPORT_TRIM_H
#define SUPPORT_TRIM_H

#include <stddef.h>
#include <stdint.h>

/* ASCII characters count 1/4 token, every other character 1/2, plus 4
 * for the message's own framing */
int64_t sup_tokens(const char *s);

/* tokens[i] of messages oldest to newest: the index of the first message
 * kept so that the kept ones (always at least the newest) fit in budget */
size_t sup_trim(const int64_t *tokens, size_t n, int64_t budget);

#endif
