/* The Walor plugin SDK: the only header a plugin includes.
 *
 *   #include <walor/plugin.h>
 *   static int32_t load(walor_plugin *p) { ... register things ... return 0; }
 *   WALOR_PLUGIN_DEFINE(.name = "hello", .version = "1.0.0", .load = load)
 *
 * The host dlopen()s the plugin with RTLD_NOW|RTLD_LOCAL, calls the one
 * exported function walor_plugin_entry(), checks the descriptor (magic,
 * struct size, SDK major, host minor, unique name, requirements) and refuses
 * the plugin with a one-line reason if anything is off. */
#ifndef WALOR_PLUGIN_H
#define WALOR_PLUGIN_H

#include "version.h"
#include "types.h"
#include "api.h"
#include "wrappers.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct walor_plugin_desc {
    uint32_t magic;            /* WALOR_PLUGIN_MAGIC */
    uint32_t struct_size;      /* sizeof(walor_plugin_desc) as the plugin was built */
    uint16_t sdk_major;        /* must equal the host's major */
    uint16_t sdk_minor;        /* the SDK minor the plugin was built with */
    uint16_t min_host_minor;   /* lowest host minor whose API table it needs */
    uint16_t reserved;
    const char *name;          /* [a-z0-9_-]{1,32}; its config section is [plugin.<name>] */
    const char *version;       /* the plugin's own version, free form ("1.2.0") */
    const char *description;   /* one line, Russian or English */
    const char *requires;      /* space-separated plugin names loaded before this one, or NULL */
    /* register everything here; return 0, or a negative WALOR_E* to be left out */
    int32_t (*load)(walor_plugin *p);
    /* optional; called once at shutdown in reverse load order */
    void (*unload)(walor_plugin *p);
} walor_plugin_desc;

typedef const walor_plugin_desc *(*walor_plugin_entry_fn)(void);

#define WALOR_PLUGIN_ENTRY_SYMBOL "walor_plugin_entry"

#if defined(__GNUC__)
#define WALOR_EXPORT __attribute__((visibility("default")))
#else
#define WALOR_EXPORT
#endif

/* Defines the plugin's one exported symbol. Pass designated initializers
 * for name, version, description, requires, min_host_minor, load, unload. */
#define WALOR_PLUGIN_DEFINE(...)                                              \
    WALOR_EXPORT const walor_plugin_desc *walor_plugin_entry(void);           \
    WALOR_EXPORT const walor_plugin_desc *walor_plugin_entry(void)            \
    {                                                                         \
        static const walor_plugin_desc desc = {                               \
            .magic = WALOR_PLUGIN_MAGIC,                                      \
            .struct_size = (uint32_t)sizeof(walor_plugin_desc),               \
            .sdk_major = WALOR_SDK_MAJOR,                                     \
            .sdk_minor = WALOR_SDK_MINOR,                                     \
            __VA_ARGS__                                                       \
        };                                                                    \
        return &desc;                                                         \
    }

#ifdef __cplusplus
}
#endif
#endif
