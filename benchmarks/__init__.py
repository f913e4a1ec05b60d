"""Benchmarks of safetynet (issue #8): interaction overhead against a bare python-telegram-bot
bot, nudge fan-out under Telegram's limits, scale on a synthetic national database, cold start.

Run with `make bench` (quick) or `make bench FULL=1`; see docs/benchmarks.md. Nothing here is
imported by the product, and nothing runs at import time.
"""
