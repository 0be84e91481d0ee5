/* backup-gdrive's archive readers (plugins/backup-gdrive/bkarchive.c,
 * bkcrypt.c), as walorctl restore and decrypt meet a file an operator hands
 * them: the bytes as a .zip archive (manifest, extracted database, its
 * checks against the manifest and the schema) and as an encrypted
 * .zip.enc. Any file must give an answer with a reason — never a crash, a
 * leak, or an extracted file left behind after a refusal. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bkarchive.h"
#include "bkcrypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/walor-fuzz-backup-XXXXXX";
static char in[64], out[64];

static void gone_unless(int rc, const char *path, const char *err)
{
    if (rc != 0 && (access(path, F_OK) == 0 || !err[0]))
        abort(); /* a refusal says why and leaves nothing behind */
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!in[0]) {
        if (!mkdtemp(dir))
            abort();
        snprintf(in, sizeof in, "%s/in", dir);
        snprintf(out, sizeof out, "%s/out", dir);
    }
    FILE *f = fopen(in, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    char err[512] = "";
    json_t *m = NULL;
    int rc = bk_archive_read(in, out, &m, err, sizeof err);
    if (rc == 0) {
        char *unknown = NULL;
        json_t *known = json_pack("{s:i}", "host.core", 1);
        err[0] = '\0';
        (void)bk_manifest_verify(m, out, err, sizeof err);
        (void)bk_manifest_newer(m, known, &unknown, err, sizeof err);
        free(unknown);
        json_decref(known);
        json_decref(m);
    } else if (m) {
        abort(); /* no manifest with an error */
    }
    gone_unless(rc, out, err);
    /* a header may ask for up to 10 million PBKDF2 rounds (seconds each):
     * the fuzzer keeps to cheap ones, the limit itself is a unit test's */
    if (size >= 16 && ((uint32_t)data[12] << 24 | (uint32_t)data[13] << 16 | (uint32_t)data[14] << 8 | data[15]) > 5000)
        return 0;
    err[0] = '\0';
    rc = bk_crypt_decrypt(in, out, "correct horse battery staple", err, sizeof err);
    gone_unless(rc, out, err);
    return 0;
}
