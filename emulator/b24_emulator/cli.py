"""`b24-emulator`: a local Bitrix24 portal for the badge methods, on loopback.

With no options it has one administrator webhook (user 1, a random code) and the docs' seed
badge `missedCall`, and prints a ready-to-copy webhook URL. SIGINT or SIGTERM stop it cleanly,
within --shutdown-timeout seconds whatever clients are doing. With --tls it serves HTTPS from a
throwaway CA and prints the CA bundle to trust.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from types import FrameType

import uvicorn

from b24_emulator.app import create_app
from b24_emulator.config import MISSED_CALL, HttpLimits, OAuthToken, Settings, Webhook
from b24_emulator.errors import PortalError
from b24_emulator.limits import CLOUD_RATE_LIMIT, RateLimit
from b24_emulator.methods import badge_from
from b24_emulator.server import HOST, bind, make_server, with_default_webhook
from b24_emulator.store import Badge, StoreLimits
from b24_emulator.strict import StrictModeUnavailable
from b24_emulator.tls import CA_BUNDLE_NAME, LocalTLS, how_to_trust, local_tls


def _badge(text: str) -> Badge:
    """A `--seed-badge`: a JSON object that add would store (methods.badge_from)."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not JSON: {error}") from None
    if not isinstance(data, dict):
        raise argparse.ArgumentTypeError("not a JSON object")
    try:
        return badge_from(data, StoreLimits())
    except PortalError as error:
        raise argparse.ArgumentTypeError(
            f"not a badge add would store: {error.description}"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="b24-emulator", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    parser.add_argument(
        "--webhook",
        type=Webhook.parse,
        action="append",
        default=[],
        metavar="USER_ID:CODE[:SCOPES]",
        help="accept this webhook; SCOPES a comma list (default crm, empty for none); repeatable",
    )
    parser.add_argument(
        "--oauth-token",
        type=OAuthToken.parse,
        action="append",
        default=[],
        metavar="TOKEN:USER_ID[:SCOPES[:EXPIRES_IN]]",
        help="accept this OAuth access token, for EXPIRES_IN seconds (negative: expired)",
    )
    parser.add_argument(
        "--non-admin",
        type=int,
        action="append",
        default=[],
        metavar="USER_ID",
        help="this user is not a CRM administrator: add and delete answer ACCESS_DENIED",
    )
    limit = parser.add_mutually_exclusive_group()
    limit.add_argument(
        "--rate-limit",
        type=RateLimit.parse,
        default=CLOUD_RATE_LIMIT,
        metavar="BURST/PER_SECOND",
        help="leaky bucket, 503 QUERY_LIMIT_EXCEEDED beyond it (default: cloud, 50/2)",
    )
    limit.add_argument("--no-rate-limit", action="store_true", help="no request-rate limit")
    parser.add_argument(
        "--operating-limit",
        type=float,
        default=480.0,
        metavar="SECONDS",
        help="operating time per method per webhook in 10 minutes before 429 (default 480)",
    )
    parser.add_argument(
        "--operating-cost",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="extra operating seconds charged per call, to reach the limit quickly (default 0)",
    )
    parser.add_argument("--db", type=Path, help="SQLite file for the badges (default: in memory)")
    parser.add_argument(
        "--seed-badge",
        type=_badge,
        action="append",
        default=[],
        metavar="JSON",
        help='add this badge at start if its code is free, e.g. \'{"code": "x", "title": "T", '
        '"value": "V", "type": "success"}\'; repeatable (default: missedCall)',
    )
    parser.add_argument("--no-seed", action="store_true", help="start without the default seed")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="check every request against the contract (b24_spec): violations are listed at "
        "GET /b24-emulator/violations and printed on exit; answers are unchanged",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate for localhost and 127.0.0.1 from a throwaway CA",
    )
    parser.add_argument(
        "--tls-ca-file",
        type=Path,
        metavar="FILE",
        help="with --tls, write the CA bundle here and keep it (default: a temporary file)",
    )
    defaults = HttpLimits()
    for option in fields(HttpLimits):
        default = getattr(defaults, option.name)
        parser.add_argument(
            "--" + option.name.replace("_", "-"),
            type=type(default),
            default=default,
            metavar="N",
            help=f"{_LIMIT_HELP[option.name]} (default {default})",
        )
    return parser


_LIMIT_HELP = {
    "header_timeout": "seconds for a complete request head, from connect or its first byte",
    "body_timeout": "seconds for a complete request body, from its head",
    "keep_alive_timeout": "seconds an idle kept-alive connection stays open",
    "max_connections": "open connections; beyond it the longest idle is closed",
    "max_concurrency": "requests read or answered at once; beyond it 503",
    "shutdown_timeout": "seconds running requests get on SIGTERM before they are cancelled",
}


def settings_from(args: argparse.Namespace) -> Settings:
    """The portal the options describe, credentials exactly as given: serve adds the default
    webhook when there are none, and tells the two apart to print only the secret it made."""
    return Settings(
        webhooks=tuple(args.webhook),
        tokens=tuple(args.oauth_token),
        non_admins=frozenset(args.non_admin),
        rate_limit=None if args.no_rate_limit else args.rate_limit,
        operating_limit=args.operating_limit,
        operating_cost=args.operating_cost,
        db=args.db,
        seed=tuple(args.seed_badge) or (() if args.no_seed else (MISSED_CALL,)),
        strict=args.strict,
        http=HttpLimits(
            **{option.name: getattr(args, option.name) for option in fields(HttpLimits)}
        ),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """The `b24-emulator` command; its exit status (see serve)."""
    args = _parser().parse_args(argv)
    return serve(args)


class _Stop:
    """SIGINT/SIGTERM as a request to stop, from the first moment to the last.

    uvicorn handles the signals while it serves, then re-raises them to the handler it found;
    before it starts (the URL may already be printed) a signal must stop it too. This handler
    never raises: it asks the server to exit, or not to start, and the process ends normally.
    """

    def __init__(self) -> None:
        self.requested = False
        self.server: uvicorn.Server | None = None
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self)

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        if self.server is not None:
            self.server.should_exit = True


def serve(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM, then 0; 2 when the port cannot be bound or strict mode
    cannot read the contract. Prints the URLs to call, never a code the caller configured."""
    stop = _Stop()
    configured = settings_from(args)
    settings = with_default_webhook(configured)
    try:
        sock = bind(args.port)
    except OSError as error:
        print(f"b24-emulator: cannot listen on {HOST}:{args.port}: {error}", file=sys.stderr)
        return 2
    if not args.tls:
        return _run(stop, settings, configured, sock, None)
    if args.tls_ca_file is not None:
        return _run(stop, settings, configured, sock, local_tls(args.tls_ca_file))
    with tempfile.TemporaryDirectory(prefix="b24-emulator-tls-") as directory:
        return _run(stop, settings, configured, sock, local_tls(Path(directory) / CA_BUNDLE_NAME))


def _run(
    stop: _Stop,
    settings: Settings,
    configured: Settings,
    sock: socket.socket,
    tls: LocalTLS | None,
) -> int:
    try:
        app = create_app(settings)
    except StrictModeUnavailable as error:
        print(f"b24-emulator: {error}", file=sys.stderr)
        return 2
    base_url = f"{'http' if tls is None else 'https'}://{HOST}:{sock.getsockname()[1]}"
    print(f"b24-emulator listening on {base_url}")
    if settings is not configured:  # the generated webhook is ours to show
        hook = settings.webhooks[0]
        print(f"webhook URL: {base_url}/rest/{hook.user_id}/{hook.code}/")
    for hook in configured.webhooks:  # the caller's secrets are not echoed
        print(f"webhook URL: {base_url}/rest/{hook.user_id}/<code>/ (scopes: {_scopes(hook)})")
    if settings.tokens:
        print(f"OAuth URL: {base_url}/rest/ (token in the auth parameter)")
    if tls is not None:
        print("\n".join(how_to_trust(tls.ca_bundle)))
    sys.stdout.flush()
    stop.server = make_server(app, settings.http, None if tls is None else tls.context)
    if not stop.requested:
        stop.server.run(sockets=[sock])
    strict = app.state.portal.strict
    if strict is not None:
        print(strict.summary(), file=sys.stderr)
    return 0


def _scopes(hook: Webhook) -> str:
    return ",".join(sorted(hook.scopes)) or "none"


if __name__ == "__main__":
    raise SystemExit(main())
