/* The machine's memory as Linux reports it in /proc/meminfo. */
#ifndef FT_BASE_MEMINFO_H
#define FT_BASE_MEMINFO_H

/* KEY's "Key: N kB" line (MemTotal, MemAvailable, ...) in bytes; -1 when
 * the file or the key is absent. */
long long ft_meminfo_bytes(const char *key);

#endif
