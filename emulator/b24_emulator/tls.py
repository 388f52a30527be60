"""HTTPS on loopback, for SDKs that insist on it, from a throwaway local certificate authority.

b24pysdk builds `https://` URLs only and b24jssdk refuses a plain-http webhook, so the emulator
can serve HTTPS: trustme makes a CA that exists for one run and a certificate for `localhost`
and `127.0.0.1`. Only the CA's certificate is written to disk, as the bundle clients trust
(SSL_CERT_FILE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS); the CA's private key stays in memory
and is gone with the process, so the bundle can vouch for nothing once the emulator stops.

trustme (and the cryptography package under it) is the `tls` extra, `pip install
'b24-emulator[tls]'`: a team that only needs plain http on loopback does not install it.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

CA_BUNDLE_NAME = "b24-emulator-ca.pem"
HOSTS = ("localhost", "127.0.0.1")


@dataclass(frozen=True)
class LocalTLS:
    """A server certificate for loopback, and where the CA bundle that trusts it was written."""

    ca_bundle: Path
    context: ssl.SSLContext


def local_tls(ca_bundle: Path) -> LocalTLS:
    """A fresh CA and server certificate; the CA's certificate is written to `ca_bundle`."""
    try:
        import trustme
    except ImportError:
        raise RuntimeError(
            "HTTPS needs trustme, the emulator's `tls` extra: pip install 'b24-emulator[tls]'"
        ) from None
    authority = trustme.CA(organization_name="b24-emulator throwaway CA")
    certificate = authority.issue_cert(*HOSTS)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    ca_bundle.parent.mkdir(parents=True, exist_ok=True)
    authority.cert_pem.write_to_path(str(ca_bundle))
    return LocalTLS(ca_bundle, context)


def how_to_trust(ca_bundle: Path) -> list[str]:
    """The lines the command prints: the bundle, and how each kind of client is told to trust it."""
    return [
        f"CA bundle: {ca_bundle}",
        f"trust it: SSL_CERT_FILE={ca_bundle} (OpenSSL, Python's ssl, httpx)",
        f"          REQUESTS_CA_BUNDLE={ca_bundle} (requests, b24pysdk)",
        f"          NODE_EXTRA_CA_CERTS={ca_bundle} (Node.js, b24jssdk)",
    ]
