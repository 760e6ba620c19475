"""The kernel client of the warm runner's kernels: ready as soon as the kernel answers on both channels.

``jupyter_client``'s ``wait_for_ready`` asks the kernel for its info, checks that IOPub carries a message
(the subscription is live, so no output can be lost), then waits until IOPub has been quiet for 0.2 s to
drop what is left. papermill's client calls it for every notebook, so every notebook started 0.2 s after
its kernel was ready, four times on the demo build's longest path. Dropping those leftovers is not needed:
nbclient reads only the IOPub messages that answer the cell it runs (by the request's id). This client does
the same two checks and returns without the quiet wait.

The runner's kernel managers make their clients from this class (``client_class``); a notebook run in its
rule's own process keeps papermill's defaults.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_core.utils import ensure_async

CLIENT_CLASS = "civicposts.kernel.PromptClient"


class PromptClient(AsyncKernelClient):
    """An asynchronous kernel client whose ``wait_for_ready`` ends when the kernel has answered."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        """Return once the kernel has answered a kernel-info request on the shell channel and a message it
        published has reached IOPub; RuntimeError if it dies first or ``timeout`` seconds pass."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:  # the kernel announces on IOPub that it is busy with the request: the subscription is live
                    await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                except Empty:
                    pass  # not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
