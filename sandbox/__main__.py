"""Run the sandbox over HTTP: `python -m sandbox --host 127.0.0.1 --port 8081`.
Point PTB at base_url="http://HOST:PORT/bot" and base_file_url="http://HOST:PORT/file/bot".
"""

from __future__ import annotations

import argparse

import uvicorn

from sandbox.app import create_app
from sandbox.state import FloodControl


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--flood",
        action="store_true",
        help="emulate Telegram's flood limits (30/s overall, 1/s per chat, 20/min per group)",
    )
    parser.add_argument("--log-level", default="warning")
    options = parser.parse_args(argv)
    flood = FloodControl.telegram_defaults() if options.flood else None
    uvicorn.run(
        create_app(flood=flood),
        host=options.host,
        port=options.port,
        log_level=options.log_level,
    )


if __name__ == "__main__":
    main()
