import os
import signal


def build_manifest(cfg):
    os.kill(os.getpid(), signal.SIGKILL)
