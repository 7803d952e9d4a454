import platform
import sys

import pytest

from worker.memory import keep_freed_memory


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")
def test_glibc_takes_every_malloc_setting():
    assert keep_freed_memory() is True
