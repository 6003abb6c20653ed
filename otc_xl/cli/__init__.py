"""The ``otc-xl`` command line (see :mod:`otc_xl.cli.core`); importing this package registers
every command on :data:`main`."""

from . import accounts, billing, collections, reports, tools
from .core import main

COMMAND_MODULES = (accounts, billing, collections, reports, tools)
"""Each registers its commands on :data:`main` when imported."""
__all__ = ["main"]
