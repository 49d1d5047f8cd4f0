"""_base/signals.py: signals held over a block; loky's teardown report dropped only after a Ctrl-C."""

import os
import signal
import threading

import pytest

from mc_sparsity._base.signals import loky_teardown_quiet, signals_blocked

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def _report(thread_name, exc_type):
    """Call threading.excepthook as a dying thread named ``thread_name`` would, with an ``exc_type``."""
    thread = threading.Thread(name=thread_name)
    try:
        raise exc_type("planted")
    except exc_type as exc:
        threading.excepthook(threading.ExceptHookArgs((exc_type, exc, exc.__traceback__, thread)))


@pytest.fixture
def restored_excepthook():
    previous = threading.excepthook
    yield
    threading.excepthook = previous


def test_a_signal_in_a_held_block_acts_after_it():
    seen = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append("handled"))
    try:
        with signals_blocked():
            os.kill(os.getpid(), signal.SIGTERM)
            seen.append("block ends")
        seen.append("after")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == ["block ends", "handled", "after"]


def test_loky_manager_keyerror_is_dropped_after_a_ctrl_c_only(restored_excepthook):
    reported = []
    threading.excepthook = lambda args: reported.append((args.thread.name, args.exc_type))  # the hook before
    with loky_teardown_quiet(True):
        _report("ExecutorManagerThread", KeyError)  # no Ctrl-C yet: reported
        assert reported == [("ExecutorManagerThread", KeyError)]
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # the handler runs between bytecodes
                pass
    _report("ExecutorManagerThread", KeyError)  # after the Ctrl-C, even once the run is over: dropped
    _report("ExecutorManagerThread", ValueError)  # anything else still reported
    _report("SomeOtherThread", KeyError)
    assert reported[1:] == [("ExecutorManagerThread", ValueError), ("SomeOtherThread", KeyError)]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the run's handler is gone


def test_loky_teardown_quiet_disabled_changes_nothing(restored_excepthook):
    hook, handler = threading.excepthook, signal.getsignal(signal.SIGINT)
    with loky_teardown_quiet(False):
        assert threading.excepthook is hook and signal.getsignal(signal.SIGINT) is handler
