"""The runner's kernel client (civicposts.kernel): ready when the kernel answers, and no output lost."""

from __future__ import annotations

import os
import signal
import sys

import pytest
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from civicposts.kernel import CLIENT_CLASS, PromptClient


@pytest.fixture
def km(tmp_path):
    km = AsyncKernelManager(kernel_name="python3", client_class=CLIENT_CLASS)
    run_sync(km.start_kernel)(cwd=str(tmp_path), env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    yield km
    run_sync(km.shutdown_kernel)(now=True)


def _outputs(kc, msg_id):
    """The stream text the kernel published for request ``msg_id`` until it went idle."""
    text = []
    while True:
        msg = run_sync(kc.iopub_channel.get_msg)(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue  # e.g. the status messages of the kernel-info requests
        if msg["msg_type"] == "stream":
            text.append(msg["content"]["text"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(text)


def test_a_fresh_kernel_s_first_output_reaches_the_client(km):
    for _ in range(3):  # each time a new client, connected to the kernel a moment ago
        kc = km.client()
        assert isinstance(kc, PromptClient)
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=60)
            msg_id = kc.execute("print('first output')")
            assert _outputs(kc, msg_id) == "first output\n"
        finally:
            kc.stop_channels()


def test_a_dead_kernel_is_reported_not_waited_for(km):
    kc = km.client()
    kc.start_channels()
    run_sync(km.signal_kernel)(signal.SIGKILL)
    run_sync(km.provisioner.wait)()
    try:
        with pytest.raises(RuntimeError, match="died"):
            run_sync(kc.wait_for_ready)(timeout=30)
    finally:
        kc.stop_channels()
