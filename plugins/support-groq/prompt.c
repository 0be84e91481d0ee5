/* support-groq: the request a question becomes (EXTERNAL-APIS §4.2, §4.6).
 *
 *   system:    the rules (text "prompt.rules": grounding, the marker, the
 *              tools), the topic's prompt (support_topic, edited by the
 *              owner in the bot; "general" without a topic), the shop's
 *              facts, and the products the index found for this question
 *              with their live prices and stock
 *   history:   the ticket's earlier messages the model may see, the newest
 *              that fit in history_tokens (trim.c)
 *   user:      the question
 *
 * Only the portable subset: role/content strings, tools with
 * tool_choice "auto" when they are on. */
#include <string.h>
#include <time.h>

#include "sup.h"
#include "trim.h"

#define HISTORY_ROWS 60

json_t *sup_tools_json(void)
{
    return json_pack(
        "[{s:s, s:{s:s, s:s, s:{s:s, s:{s:{s:s, s:s}}, s:[s]}}},"
        " {s:s, s:{s:s, s:s, s:{s:s, s:{s:{s:s, s:s}}}}},"
        " {s:s, s:{s:s, s:s, s:{s:s, s:{s:{s:s, s:s}}}}}]",
        "type", "function", "function", "name", "find_product", "description",
        "Найти товары магазина по названию или описанию: цены, скидки, варианты, наличие прямо сейчас.",
        "parameters", "type", "object", "properties", "query", "type", "string", "description",
        "Что искать, например «зелёный чай» или «крем для рук».", "required", "query",
        "type", "function", "function", "name", "order_status", "description",
        "Статус заказов покупателя, который сейчас пишет (только его собственных). Без номера — последние заказы.",
        "parameters", "type", "object", "properties", "order_id", "type", "integer", "description",
        "Номер заказа, если покупатель его назвал.",
        "type", "function", "function", "name", "call_operator", "description",
        "Передать разговор живому оператору: покупатель просит человека, или ты не можешь помочь.",
        "parameters", "type", "object", "properties", "reason", "type", "string", "description",
        "Коротко: почему нужен оператор.");
}

int32_t sup_topic_get(walor_ctx *c, const char *slug, sup_topic *out)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, "SELECT slug, title, prompt FROM support_topic WHERE slug = ?",
                                WALOR_ARGS(walor_s(slug && *slug ? slug : "general")), &r);
    if (rc < 0)
        return rc;
    rc = walor_row_next(r);
    if (rc == 1) {
        out->slug = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
        out->title = walor_ctx_printf(c, "%s", walor_col_text(r, 1));
        out->prompt = walor_ctx_printf(c, "%s", walor_col_text(r, 2));
    }
    walor_rows_close(r);
    return rc == 1 ? 0 : rc == 0 ? WALOR_ENOTFOUND : rc;
}

typedef struct hmsg {
    const char *role, *content;
    int64_t tokens;
} hmsg;

/* the ticket's messages the model may see, oldest first, without the
 * question itself (the newest customer message) */
static int32_t history(walor_ctx *c, int64_t ticket_id, hmsg **out, size_t *n)
{
    *n = 0;
    *out = walor_ctx_alloc(c, HISTORY_ROWS * sizeof **out);
    if (!*out)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT author, text, tokens FROM support_message WHERE ticket_id = ? AND for_ai = 1 "
                                "AND kind = 'text' AND author IN ('customer', 'ai') ORDER BY id DESC LIMIT ?",
                                WALOR_ARGS(walor_i(ticket_id), walor_i(HISTORY_ROWS + 1)), &r);
    if (rc < 0)
        return rc;
    size_t k = 0;
    int skipped = 0;
    while ((rc = walor_row_next(r)) == 1 && k < HISTORY_ROWS) {
        int customer = !strcmp(walor_col_text(r, 0), "customer");
        if (!skipped) { /* the newest row is the question being asked */
            skipped = 1;
            if (customer)
                continue;
        }
        const char *text = walor_col_text(r, 1) ? walor_col_text(r, 1) : "";
        hmsg *h = &(*out)[k++];
        h->role = customer ? "user" : "assistant";
        h->content = walor_ctx_printf(c, "%s", text);
        h->tokens = walor_col_int(r, 2) > 0 ? walor_col_int(r, 2) : sup_tokens(text);
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < k / 2; i++) { /* oldest first */
        hmsg t = (*out)[i];
        (*out)[i] = (*out)[k - 1 - i];
        (*out)[k - 1 - i] = t;
    }
    *n = k;
    return 0;
}

json_t *sup_prompt_build(walor_ctx *c, const sup_prompt_in *in, int64_t *pids, int *npids)
{
    *npids = 0;
    hmsg *h = NULL;
    size_t nh = 0;
    if (history(c, in->ticket_id, &h, &nh) < 0)
        return NULL;

    /* the products: what this question and the customer's previous one ask about */
    const char *prev = "";
    for (size_t i = nh; i-- > 0;)
        if (!strcmp(h[i].role, "user")) {
            prev = h[i].content;
            break;
        }
    int64_t found[SUP_MAX_PRODUCTS];
    int nfound = 0;
    int want = (int)sup_setting(c, "products_in_prompt", 6);
    if (want > SUP_MAX_PRODUCTS)
        want = SUP_MAX_PRODUCTS;
    if (sup_index_search(c, walor_ctx_printf(c, "%s %s", in->question, prev), found, want, &nfound) < 0)
        nfound = 0;
    const char *facts = sup_facts_products(c, found, nfound, pids, npids);

    sup_topic t = {.prompt = ""};
    if (sup_topic_get(c, in->topic, &t) < 0 && sup_topic_get(c, "general", &t) < 0)
        t.prompt = "";
    const char *when = walor_time_format(c, walor_now(c), "%d.%m.%Y %H:%M");
    if (!when)
        when = "";
    const char *system =
        walor_ctx_printf(c, "%s\n\n%s\n\n%s\n%s", t.prompt, T(c, "prompt.rules"), sup_facts_shop(c),
                         *facts ? TF(c, "prompt.products", "time", when, "list", facts) : T(c, "prompt.no_products"));
    if (!system)
        return NULL;

    /* the newest history that fits next to the question */
    int64_t *tok = walor_ctx_alloc(c, (nh + 1) * sizeof *tok);
    if (!tok)
        return NULL;
    for (size_t i = 0; i < nh; i++)
        tok[i] = h[i].tokens;
    tok[nh] = sup_tokens(in->question);
    size_t first = sup_trim(tok, nh + 1, sup_setting(c, "history_tokens", 2000));
    /* a conversation starts with the customer: an answer without its question only confuses */
    while (first < nh && strcmp(h[first].role, "user") != 0)
        first++;

    json_t *msgs = json_array();
    json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "system", "content", system));
    for (size_t i = first; i < nh; i++)
        json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", h[i].role, "content", h[i].content));
    json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "user", "content", in->question));
    return msgs;
}
