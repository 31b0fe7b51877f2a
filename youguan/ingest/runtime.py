"""Process settings that make large ingests cheaper, for a process that mostly ingests (the
``youguan ingest`` command; a server may call it once at start-up).

Measured with ``perf`` on the ingest benchmark: with Arrow's default mimalloc pool, 15 % of the
CPU went to the kernel zeroing huge pages that mimalloc purges and faults in again between
batches; with jemalloc it is under 3 %. And Python's cyclic garbage collector spent 7 % walking
the hundreds of thousands of long-lived objects the imports create; ``gc.freeze`` moves them out
of its way (new objects are still collected).
"""

from __future__ import annotations

import gc
import logging

import pyarrow as pa

log = logging.getLogger(__name__)
_done = False


def tune_process() -> None:
    """Use jemalloc for Arrow buffers (when built in) and freeze the objects alive now out of
    the garbage collector's generations. Idempotent."""
    global _done
    if _done:
        return
    _done = True
    if "jemalloc" in pa.supported_memory_backends() and (
        pa.default_memory_pool().backend_name != "jemalloc"
    ):
        pa.set_memory_pool(pa.jemalloc_memory_pool())
        log.debug("arrow memory pool: jemalloc")
    gc.freeze()
