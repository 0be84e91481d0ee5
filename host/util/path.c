#include "path.h"

#include <stdio.h>
#include <string.h>

int wh_path_dir(const char *path, char *out, size_t n)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    int w;
    if (!slash)
        w = snprintf(out, n, ".");
    else if (slash == path)
        w = snprintf(out, n, "/");
    else
        w = snprintf(out, n, "%.*s", (int)(slash - path), path);
    if (w < 0 || (size_t)w >= n) {
        if (n)
            out[0] = '\0';
        return -1;
    }
    return 0;
}
