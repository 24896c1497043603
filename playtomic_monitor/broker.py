"""The embedded broker: kombu's filesystem transport, with every message written whole.

kombu's own `_put` creates the message file, then locks and writes it, while `_get` moves and
reads a file without taking the lock: a worker polling the folder (every 0.1 s here) can take a
file that beat has created but not yet written, read nothing, and die of a JSONDecodeError
("Unrecoverable error"), which stops every process `make run` or `make demo` started. Here a
message is written under a name no reader picks up (`.partial`) and renamed into place in one
step. Settings select it (CELERY_BROKER_TRANSPORT) when no REDIS_URL is set.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    # The stubs give kombu's base and filesystem channels different `_put` signatures.
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        """Put `payload` onto `queue`: readers see all of it or none of it."""
        # kombu's naming: readers pick files by the ".{queue}.msg" after the first dot.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.partial"
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
