/* Walor SDK version. The major number never changes during the product's
 * life (1.x); a minor is added whenever the host API table grows. */
#ifndef WALOR_VERSION_H
#define WALOR_VERSION_H

#define WALOR_SDK_MAJOR 1
#define WALOR_SDK_MINOR 3

/* "WALR": first field of every plugin descriptor, so that a random .so
 * with an exported symbol of the same name is refused, not called. */
#define WALOR_PLUGIN_MAGIC 0x57414C52u

#endif
