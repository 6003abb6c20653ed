"""The ``otc-xl`` command line (see :mod:`otc_xl.cli.core`); importing this package registers
every command on :data:`main`."""

from . import accounts, collections, reports, tools  # noqa: F401 - each registers its commands
from .core import main

__all__ = ["main"]
