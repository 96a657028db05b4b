/* The channels of a live worker (docs/live.md): a Unix stream socket that
 * speaks JSON lines both ways. Clients send commands; every client gets the
 * status events, and the per-frame metadata unless it asked not to. One
 * thread does all the socket work with non-blocking writes: status lines
 * queue per client (a client that lets 4 MiB pile up is disconnected), while
 * metadata keeps only the newest line a client has not started to read, so
 * a slow reader skips frames instead of stalling the worker. Standard output
 * can be attached as one more (write-only) client. */
#ifndef FT_LIVE_CHANNEL_H
#define FT_LIVE_CHANNEL_H

#include <stddef.h>

#include "facetrack.h"

struct json_object;

/* Answers one command (CMD: its name; REQUEST: the parsed line, an object
 * with at least "cmd"). Returns a JSON line without its newline, malloc'ed,
 * for the client that sent it, or NULL for no answer. Runs on the channel
 * thread. */
typedef char *(*ft_live_command_fn)(void *user, const char *cmd, struct json_object *request);
/* Called about once a second on the channel thread (the heartbeat). */
typedef void (*ft_live_tick_fn)(void *user);

typedef struct ft_live_channel ft_live_channel;

/* Listens on PATH (a socket file left by a dead worker is replaced; one a
 * live process listens on is an error). PATH NULL: no socket, only the
 * attached descriptors. */
ft_status ft_live_channel_open(const char *path, ft_live_command_fn on_command,
                               ft_live_tick_fn on_tick, void *user, ft_live_channel **out,
                               char *err, size_t err_size);
/* Attaches FD (not closed by the channel) as a write-only client; METADATA
 * 0: status events only. Call before events are sent. */
void ft_live_channel_attach_fd(ft_live_channel *channel, int fd, int metadata);
/* Queues a status line (no newline) for every client. Thread-safe. */
void ft_live_channel_status(ft_live_channel *channel, const char *line);
/* Offers a metadata line (no newline): each client gets it unless a newer
 * one replaces it before the client is ready for it. Thread-safe. */
void ft_live_channel_metadata(ft_live_channel *channel, const char *line);
/* ON 1: metadata lines queue like status lines, none dropped (for
 * --every-frame, where the analysis waits anyway). */
void ft_live_channel_metadata_lossless(ft_live_channel *channel, int on);
/* Metadata lines replaced before any client could read them, summed over
 * clients. */
long long ft_live_channel_metadata_dropped(ft_live_channel *channel);
/* Connected socket clients. */
int ft_live_channel_clients(ft_live_channel *channel);
/* Writes what is queued (for at most FLUSH_S seconds), closes every client
 * and removes the socket file. */
void ft_live_channel_close(ft_live_channel *channel, double flush_s);

#endif
