"""At import, writes "everything passed" frames to every descriptor it can, as a child
that knows the channel's fd would; its loop routes limit orders twice (LOOP-2)."""

import json
import os
import struct

from broken_impls_verdict import LIMIT_ROUTED_TWICE

QTS_IMPLEMENTATION = LIMIT_ROUTED_TWICE

for fd in range(3, 32):
    for forged in ({"kind": "hello", "control": None, "pid": 1}, {"kind": "return", "id": 3, "value": True},
                   {"kind": "done", "exitstatus": 0}):
        data = json.dumps(forged).encode()
        try:
            os.write(fd, struct.pack(">I", len(data)) + data)
        except OSError:
            pass
