/*
 * rt_mcp.h -- the MCP server: protocol state, dispatch, and the stdio
 * transport (newline-delimited JSON-RPC 2.0).
 *
 * Both eras of MCP are served by one process, per request:
 *   - legacy: the initialize handshake, negotiating 2025-11-25 down to
 *     2025-06-18, 2025-03-26 or 2024-11-05 (what each version lacks is left
 *     out: annotations before 2025-03-26, titles, outputSchema and
 *     structuredContent before 2025-06-18); ping; logging/setLevel;
 *   - modern (2026-07-28, stateless): a request whose params._meta carries
 *     io.modelcontextprotocol/protocolVersion is self-describing and needs
 *     no handshake; server/discover; resultType on every result; ttlMs and
 *     cacheScope on cacheable ones; -32022 for versions not served; the
 *     per-request io.modelcontextprotocol/logLevel.
 * Progress (params._meta.progressToken) and cancellation
 * (notifications/cancelled) work in both.
 *
 * Elicitation (request_approval, rt_approve.h): a 2025-06-18+ session whose
 * client declared the elicitation capability (form mode) is asked with an
 * elicitation/create request of our own in the middle of the tools/call;
 * other input is queued meanwhile and the response is matched by id.  A
 * 2026-07-28 request whose _meta clientCapabilities include elicitation
 * gets an input_required result instead, and the client retries the call
 * with inputResponses and the requestState.
 *
 * Cancellation on one thread: input is read ahead, parsed and queued as it
 * arrives, and a cancellation is applied the moment it is queued, to the
 * request in flight or to a queued one.  A tool call pulls pending input
 * between its steps and before its response is written, so a cancelled
 * request gets no response.
 *
 * Owner: rt_mcp.c.  The server borrows the catalog (which must outlive it)
 * and owns everything else.  Not thread-safe.
 */
#ifndef RT_MCP_H
#define RT_MCP_H

#include <stddef.h>

#include "alc_reader.h"

typedef struct rt_mcp rt_mcp;

/* Writes one protocol message LINE (LEN bytes, no newline) followed by a
 * newline.  Returns 0, or -1 when the output is gone. */
typedef int (*rt_mcp_write_fn)(void *ctx, const char *line, size_t len);
/* Pulls pending input without blocking (by calling rt_mcp_feed). */
typedef void (*rt_mcp_poll_fn)(void *ctx);
/* Waits up to MS milliseconds for input and feeds what arrives.  Returns 0,
 * or -1 at end of input.  Needed to ask the client something in the middle
 * of a request (elicitation/create); without it the server never asks. */
typedef int (*rt_mcp_wait_fn)(void *ctx, long ms);

typedef struct rt_mcp_config {
	const alc_catalog *cat;
	const char *catalog_name;  /* shown to clients in the instructions */
	size_t page_size;          /* tools per tools/list page; 0: all */
	int debug;                 /* log each message to stderr */
	rt_mcp_write_fn write;
	void *write_ctx;
	rt_mcp_poll_fn poll;       /* may be NULL */
	void *poll_ctx;
	rt_mcp_wait_fn wait;       /* may be NULL: no server->client requests */
	void *wait_ctx;
	/* The gate in front of the catalog (may be NULL: it was checked before
	 * the server started).  `airlock serve` opens its catalog with
	 * alc_open_deferred, so that initialize and tools/list, which read only
	 * the header, are answered while the rest is still being verified;
	 * every tools/call and the idle work call READY first, which waits for
	 * the verification.  A nonzero result (an AL_* code) fails closed: the
	 * call is answered with an error, nothing else is handled, and
	 * rt_mcp_serve_fd returns that code. */
	int (*ready)(void *ctx);
	void *ready_ctx;
} rt_mcp_config;

/* Protocol versions, newest first. */
#define RT_MCP_MODERN_VERSION "2026-07-28"
#define RT_MCP_LATEST_LEGACY "2025-11-25"

/* Input queued but not yet handled is capped (read-ahead stops there). */
#define RT_MCP_READAHEAD (16u << 20)

/* Returns 0, AL_ENOMEM or AL_EINVAL (no catalog or writer). */
int rt_mcp_new(rt_mcp **out, const rt_mcp_config *cfg);
void rt_mcp_free(rt_mcp *m);

/* Appends raw input: complete lines are parsed and queued (cancellations
 * take effect at once); a partial line waits for the rest.  Lines longer
 * than RT_RPC_MAX_LINE are skipped and answered with -32600. */
void rt_mcp_feed(rt_mcp *m, const char *data, size_t len);
/* End of input: a last line without a newline is a message too. */
void rt_mcp_finish(rt_mcp *m);
/* Handles the oldest queued message.  Returns 1 when one was handled, 0
 * when the queue is empty, -1 when writing failed or the catalog failed
 * its checks (cfg.ready; the server is done). */
int rt_mcp_step(rt_mcp *m);
/* Bytes of input queued and not yet handled. */
size_t rt_mcp_queued_bytes(const rt_mcp *m);

/* Work done ahead of need when the client is quiet (builds the search
 * index).  The stdio loop calls it once, after RT_MCP_IDLE_MS without
 * input. */
#define RT_MCP_IDLE_MS 50
void rt_mcp_idle(rt_mcp *m);

/* The stdio server: reads IN_FD until end of input, writes to OUT_FD.
 * Returns 0 at end of input, 1 when the output failed, AL_ENOMEM, or the
 * code cfg.ready failed with. */
int rt_mcp_serve_fd(const rt_mcp_config *cfg, int in_fd, int out_fd);

#endif
