/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target: the control protocol framing.  The input is a byte stream
 * as a peer might send it: the first 16 bytes go to proto_hdr_decode(),
 * and the whole stream (up to a pipe's capacity) is read frame by frame
 * with proto_recv() from a pipe whose writer then closes.
 *
 * Properties: a header is accepted only with the magic, the version, a
 * known type and a length within that type's limit, and then encodes
 * back to the same 16 bytes; a refusal says why (EPROTO or EMSGSIZE with
 * a message); proto_recv() never reads past a refused header and ends
 * with an error when the stream ends.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "proto.h"

const char fuzz_target[] = "proto";

static void
check_header(const uint8_t *data)
{
	struct acct_hdr h;
	struct aerr err = { 0 };
	uint8_t again[ACCT_HDR_LEN];
	int r = proto_hdr_decode(data, &h, &err);

	if (r < 0) {
		FUZZ_CHECK((r == -EPROTO || r == -EMSGSIZE) &&
		    err.errnum == -r && err.msg[0] != '\0',
		    "refused with %d, errnum %d, message [%s]", r, err.errnum,
		    err.msg);
		return;
	}
	FUZZ_CHECK(h.magic == ACCT_PROTO_MAGIC && h.version ==
	    ACCT_PROTO_VERSION && h.type >= MSG_REQUEST && h.type <= MSG_END &&
	    h.len <= proto_max_len(h.type), "accepted magic %#x version %u "
	    "type %u len %u", h.magic, h.version, h.type, h.len);
	proto_hdr_encode(again, h.type, h.len, h.seq);
	FUZZ_CHECK(memcmp(again, data, ACCT_HDR_LEN) == 0, "header does not "
	    "encode back to its bytes");
}

static void
check_stream(const uint8_t *data, size_t size)
{
	int fds[2], r;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return;
	if (size > 0 && write(fds[1], data, size) != (ssize_t)size) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	close(fds[1]);
	for (int frames = 0;; frames++) {
		struct acct_hdr h;
		struct aerr err = { 0 };
		char *payload = (char *)1;

		r = proto_recv(fds[0], &h, &payload, -1, &err);
		if (r < 0) {
			FUZZ_CHECK(payload == NULL && err.msg[0] != '\0',
			    "proto_recv failed (%d) leaving a payload or no "
			    "message", r);
			break;
		}
		FUZZ_CHECK(payload != NULL && payload[h.len] == '\0' &&
		    h.len <= proto_max_len(h.type), "frame %d: len %u",
		    frames, h.len);
		free(payload);
		FUZZ_CHECK(frames < 65536 / ACCT_HDR_LEN + 1, "more frames "
		    "than the stream holds");
	}
	close(fds[0]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= ACCT_HDR_LEN)
		check_header(data);
	/* a pipe holds 64 KiB; more would block the writer */
	if (size <= 60000)
		check_stream(data, size);
	return 0;
}
