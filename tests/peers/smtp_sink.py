r"""An SMTP sink for the tests: aiosmtpd on 127.0.0.1 that decodes each message and appends it
as one JSON line to $SMTP_SINK_FILE.

Usage: python3 smtp_sink.py [PORT]      (PORT, else $SMTP_SINK_PORT, else 0 = a free port)

Prints `READY <port>` on stdout once it listens. Each line of $SMTP_SINK_FILE is an object
with the envelope (`mail_from`, `rcpt_tos`), the headers `from`, `to`, `subject`, the decoded
`text` and `html` bodies (quoted-printable and base64 undone, multipart walked, `\n` line
ends; null when the part is missing), and `raw`, the message as received.

With SMTP_SINK_EXIT_ON_STDIN_EOF=1 it exits as soon as stdin closes, so a test process that
exits without killing it (a sink in a `static`, a crash) leaves nothing behind; with
SMTP_SINK_REMOVE_FILE=1 it also deletes $SMTP_SINK_FILE when it stops.
"""

import asyncio
import email
import email.policy
import json
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


class JsonLinesHandler:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        message = email.message_from_bytes(raw, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "from": str(message.get("From", "")),
            "to": str(message.get("To", "")),
            "subject": str(message.get("Subject", "")),
            "text": body_of(message, "plain"),
            "html": body_of(message, "html"),
            "raw": raw.decode("utf-8", "replace"),
        }
        # One write per message, so a reader never sees half a line followed by another's.
        line = json.dumps(record) + "\n"
        with open(self.path, "a", encoding="utf-8") as sink:
            sink.write(line)
            sink.flush()
            os.fsync(sink.fileno())
        return "250 Message accepted for delivery"


def body_of(message, subtype):
    """The decoded text of the first text/<subtype> part, or None."""
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    # SMTP carries CRLF; give the body back with the `\n` line ends it was written with.
    return part.get_content().replace("\r\n", "\n")


async def main():
    path = os.environ.get("SMTP_SINK_FILE")
    if not path:
        sys.exit("smtp_sink.py: set SMTP_SINK_FILE to the JSON-lines file to write")
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("SMTP_SINK_PORT", "0"))

    loop = asyncio.get_running_loop()
    handler = JsonLinesHandler(path)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-sink.test"), host="127.0.0.1", port=port
    )
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if os.environ.get("SMTP_SINK_EXIT_ON_STDIN_EOF") == "1":
        loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not os.read(0, 4096) else None)

    await stop.wait()
    server.close()
    # Python 3.12+ waits for open connections here; a sink has nothing to flush.
    try:
        await asyncio.wait_for(server.wait_closed(), 1)
    except asyncio.TimeoutError:
        pass
    if os.environ.get("SMTP_SINK_REMOVE_FILE") == "1":
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


if __name__ == "__main__":
    asyncio.run(main())
