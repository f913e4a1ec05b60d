"""A stand-in for the Telegram Bot API that the unmodified python-telegram-bot client can talk to.
Tests mount create_app() in-process; benchmarks and the web chat run it with `python -m sandbox`.
"""

from sandbox.app import create_app
from sandbox.state import FloodControl

__all__ = ["FloodControl", "create_app"]
