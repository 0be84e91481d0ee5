#ifndef WALORCTL_SETUP_H
#define WALORCTL_SETUP_H

/* walorctl setup (setup.c): asks on stdin, writes <conf_dir>/90-setup.ini
 * and the unit's credentials next to main_path. 0 when written, 1 when
 * stopped or failed (nothing written). */
int walorctl_setup(const char *main_path, const char *conf_dir);

/* NULL when v is a Russian INN with the right control digits, else why not */
const char *walorctl_check_inn(const char *v);

#endif
