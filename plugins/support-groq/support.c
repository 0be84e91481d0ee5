/* support-groq: an AI assistant that knows the live catalog and the
 * customer's own orders, streamed replies, tickets and the hand-off to an
 * operator (README.md). This file reads the configuration, registers the
 * settings, texts, migrations and each part, and holds the small helpers
 * they share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sup.h"

sup_conf sup_cfg;

char *sup_esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

int64_t sup_setting(walor_ctx *c, const char *key, int64_t dflt)
{
    return walor_setting_or(c, walor_ctx_printf(c, SUP_PLUGIN ".%s", key), dflt);
}

const char *sup_setting_str(walor_ctx *c, const char *key)
{
    const char *v = walor_setting_str(c, strchr(key, '.') ? key : walor_ctx_printf(c, SUP_PLUGIN ".%s", key));
    return v ? v : "";
}

int64_t sup_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *sup_time(walor_ctx *c, int64_t t)
{
    char *s = t ? walor_time_format(c, t, "%d.%m %H:%M") : NULL;
    return s ? s : "—";
}

void sup_incoming_read(walor_ctx *c, const char *arg, sup_incoming *in)
{
    json_t *u = walor_ctx_update(c);
    json_t *m = json_object_get(u, "message");
    in->text = arg ? arg : "";
    in->file_id = NULL;
    in->file_name = NULL;
    in->kind = "text";
    json_t *photo = json_object_get(m, "photo");
    json_t *doc = json_object_get(m, "document");
    if (json_array_size(photo)) {
        in->kind = "photo";
        in->file_id = json_string_value(json_object_get(json_array_get(photo, json_array_size(photo) - 1),
                                                        "file_id"));
    } else if (json_is_object(doc)) {
        in->kind = "document";
        in->file_id = json_string_value(json_object_get(doc, "file_id"));
        in->file_name = json_string_value(json_object_get(doc, "file_name"));
    } else if (m && !json_object_get(m, "text")) {
        in->kind = "other"; /* a sticker, a voice message, a location… */
    }
}

static void conf_str(walor_plugin *p, const char *key, const char *dflt, char *out, size_t cap)
{
    const char *v = walor_plugin_config(p, key);
    snprintf(out, cap, "%s", v && *v ? v : dflt);
}

static uint32_t conf_int(walor_plugin *p, const char *key, uint32_t dflt, uint32_t lo, uint32_t hi)
{
    const char *v = walor_plugin_config(p, key);
    char *end = NULL;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || end == v || n < (long)lo || n > (long)hi)
        return dflt;
    return (uint32_t)n;
}

static int32_t read_config(walor_plugin *p)
{
    conf_str(p, "base_url", "https://api.groq.com/openai/v1", sup_cfg.base_url, sizeof sup_cfg.base_url);
    size_t n = strlen(sup_cfg.base_url);
    while (n && sup_cfg.base_url[n - 1] == '/')
        sup_cfg.base_url[--n] = '\0';
    if (strncmp(sup_cfg.base_url, "http://", 7) != 0 && strncmp(sup_cfg.base_url, "https://", 8) != 0)
        return walor_config_invalid(p, "base_url", 0, "the model server's URL must start with http:// or https://");
    conf_str(p, "model", "llama-3.3-70b-versatile", sup_cfg.model, sizeof sup_cfg.model);
    char tools[16];
    conf_str(p, "tools", "auto", tools, sizeof tools);
    sup_cfg.tools = !strcmp(tools, "off") || !strcmp(tools, "no") ? 0 : !strcmp(tools, "on") || !strcmp(tools, "yes") ? 1 : 2;
    sup_cfg.timeout_ms = conf_int(p, "timeout_s", 60, 5, 600) * 1000u;
    sup_cfg.idle_ms = conf_int(p, "idle_timeout_s", 20, 1, 600) * 1000u;
    sup_cfg.draft_ms = conf_int(p, "draft_interval_ms", 1000, 200, 10000);
    return 0;
}

static int32_t wipe(walor_ctx *c, int64_t user_id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM support_message WHERE ticket_id IN "
                                  "(SELECT id FROM support_ticket WHERE user_id = ?)",
                               WALOR_ARGS(walor_i(user_id)));
    if (rc >= 0)
        rc = walor_db_exec(c, "DELETE FROM support_ticket WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)));
    return rc < 0 ? rc : 0;
}

static const char HELP[] =
    "<b>💬 Поддержка</b>\n"
    "Откройте «💬 Поддержка» в меню или команду /support и задайте вопрос: ассистент знает каталог — цены, "
    "скидки, наличие — и статус ваших заказов. Темы: /relax /health /skin /home /mix.\n"
    "Чтобы поговорить с человеком, нажмите «👤 Оператор» или отправьте /operator: оператор ответит здесь же, "
    "можно присылать фото и файлы.";

static const char STAFF_HELP[] =
    "<b>💬 Поддержка: обращения</b>\n"
    "Когда покупатель зовёт оператора (или ассистент не может помочь), все менеджеры получают уведомление "
    "с кнопкой «✋ Взять». Взявший отвечает кнопкой «✍️ Ответить»: текст, фото и файлы уходят покупателю, его "
    "ответы приходят вам. «✅ Закрыть» завершает обращение. Список и история — 🛠 → 💬 Поддержка.\n"
    "Напоминание приходит, если обращение ждёт оператора дольше заданного; через сутки тишины диалог "
    "возвращается к ассистенту. Каждое утро — сводка за вчера.";

static int32_t load(walor_plugin *p)
{
#define S(t, k, l, d, lo, hi) \
    {.struct_size = sizeof(walor_setting_def), .type = (t), .key = (k), .label = (l), .default_value = (d), \
     .min = (lo), .max = (hi), .flags = WALOR_SET_OWNER_EDITABLE}
    static const walor_setting_def settings[] = {
        S(WALOR_SET_BOOL, "ai_enabled", "Поддержка: ассистент отвечает покупателям", "yes", 0, 0),
        S(WALOR_SET_TEXT, "delivery_text", "Поддержка: что ассистент знает о доставке и оплате", "", 0, 2000),
        S(WALOR_SET_INT, "temperature_pct", "Поддержка: «творчество» модели, % (0–100)", "30", 0, 100),
        S(WALOR_SET_INT, "answer_tokens", "Поддержка: длина ответа, токенов", "700", 100, 4000),
        S(WALOR_SET_INT, "history_tokens", "Поддержка: сколько переписки видит модель, токенов", "2000", 200, 30000),
        S(WALOR_SET_INT, "daily_tokens", "Поддержка: бюджет токенов в сутки (0 — без предела)", "300000", 0,
          1000000000),
        S(WALOR_SET_INT, "per_minute", "Поддержка: сообщений покупателя в минуту", "6", 1, 60),
        S(WALOR_SET_INT, "question_max", "Поддержка: длина вопроса, символов", "2000", 100, 4000),
        S(WALOR_SET_INT, "products_in_prompt", "Поддержка: товаров в подсказке модели", "6", 1, SUP_MAX_PRODUCTS),
        S(WALOR_SET_INT, "operator_timeout_min", "Поддержка: напомнить, если оператор молчит, мин", "15", 1, 1440),
        S(WALOR_SET_INT, "silence_hours", "Поддержка: вернуть диалог ассистенту после тишины, ч", "24", 1, 720),
        S(WALOR_SET_INT, "archive_days", "Поддержка: убрать закрытые обращения в архив через, дней", "30", 1, 3650),
    };
#undef S
    int32_t rc = read_config(p);
    if (!rc) rc = walor_migration(p, 1, sup_ticket_migration);
    if (!rc) rc = walor_migration_v2(p, 2, sup_index_migration, sup_index_migration_pg);
    for (size_t i = 0; !rc && i < sizeof settings / sizeof settings[0]; i++)
        rc = walor_setting(p, &settings[i]);
    if (!rc) rc = walor_texts(p, sup_texts, (uint32_t)sup_ntexts);
    if (!rc) rc = sup_keys_load(p);
    if (!rc) rc = walor_wipe(p, wipe);
    if (!rc) rc = walor_help(p, "💬 Поддержка", HELP, WALOR_ROLE_CLIENT);
    if (!rc) rc = walor_help(p, "💬 Поддержка: обращения", STAFF_HELP, WALOR_ROLE_MANAGER);
    if (!rc) rc = sup_index_register(p);
    if (!rc) rc = sup_customer_register(p);
    if (!rc) rc = sup_operator_register(p);
    if (!rc) rc = sup_staff_register(p);
    if (!rc) rc = sup_jobs_register(p);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = SUP_PLUGIN, .version = "0.1.0",
                    .description = "ИИ-ассистент по каталогу и заказам, обращения и операторы",
                    .requires = "catalog", .min_host_minor = 3, .load = load)
