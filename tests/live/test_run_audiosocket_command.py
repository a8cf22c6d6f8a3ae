"""``run_audiosocket`` refuses an address it cannot listen on with a clear
error, not a traceback."""

import io
import socket

import pytest
from django.core.management import CommandError, call_command

pytestmark = [pytest.mark.django_db]


@pytest.mark.parametrize("port", [70000, -1, 0])
def test_run_audiosocket_refuses_a_port_out_of_range(port):
    with pytest.raises(CommandError, match="--port"):
        call_command("run_audiosocket", port=port, stdout=io.StringIO())


def test_run_audiosocket_on_a_port_in_use_is_a_command_error():
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match="cannot listen"):
            call_command("run_audiosocket", port=port, stdout=io.StringIO())
    finally:
        taken.close()
