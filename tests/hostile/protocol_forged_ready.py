"""At import, writes a forged "ready" frame (guessed id) to the protocol pipes.

Honest outcome: the id does not match the parent's nonce: the import fails
with "crash"; no function is graded.

expect import: crash
"""

import json
import os
import struct

head = json.dumps({"v": 1, "type": "ready", "id": "0000000000000000",
                   "body": {"d": {"has": {"d": {"relu": True}}, "import_error": None,
                                  "in_force": {"d": {}}, "pid": 1}}, "bufs": []}).encode()
for name in os.listdir("/proc/self/fd"):
    try:
        if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
            os.write(int(name), struct.pack("<I", len(head)) + head)
    except OSError:
        pass


def relu(z):
    return z
