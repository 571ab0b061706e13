#!/usr/bin/python3
"""Verify (and decrypt) datagate envelopes with jwcrypto, an independent JOSE implementation.

Run by test/export/interop.test.ts with the system interpreter (/usr/bin/python3, Debian's
python3-jwcrypto). Usage:

    jwcrypto_verify.py JOB.json

JOB.json:
    {"jwks": {...issuer public JWKS...},
     "decryption_key": {...partner private JWK...},          (only for "jwe" cases)
     "cases": [{"name": "...", "kind": "jws" | "jwe", "token": "..."}]}

Prints one JSON object: {"jwcrypto": version, "results": {name: {"payload": text,
"header": {...}, "jwe_header": {...}?} | {"error": text}}}. Keys are looked up by the header
"kid" in the JWKS and the algorithm is pinned to that key's "alg"; keys named in headers are
never used.
"""
import json
import sys
from importlib.metadata import version

from jwcrypto import jwe, jwk, jws


def verify_jws(token, keyset):
    signed = jws.JWS()
    signed.deserialize(token)
    header = signed.jose_header
    key = keyset.get_key(header.get("kid"))
    if key is None:
        raise ValueError("no key in the JWKS for kid %r" % header.get("kid"))
    pinned = key.get("alg")
    if header.get("alg") != pinned:
        raise ValueError("alg %r is not the key's %r" % (header.get("alg"), pinned))
    signed.allowed_algs = [pinned]
    signed.verify(key, alg=pinned)
    return signed.payload.decode("utf-8"), header


def decrypt_jwe(token, private_key):
    encrypted = jwe.JWE()
    encrypted.allowed_algs = ["ECDH-ES+A256KW", "A256GCM"]
    encrypted.deserialize(token, key=private_key)
    header = encrypted.jose_header
    if "zip" in header:
        raise ValueError("compressed JWE")
    return encrypted.payload.decode("ascii"), header


def main(path):
    with open(path, encoding="utf-8") as handle:
        job = json.load(handle)
    keyset = jwk.JWKSet.from_json(json.dumps(job["jwks"]))
    private_key = None
    if job.get("decryption_key") is not None:
        private_key = jwk.JWK.from_json(json.dumps(job["decryption_key"]))
    results = {}
    for case in job["cases"]:
        try:
            if case["kind"] == "jwe":
                inner, jwe_header = decrypt_jwe(case["token"], private_key)
                payload, header = verify_jws(inner, keyset)
                results[case["name"]] = {"payload": payload, "header": header, "jwe_header": jwe_header}
            else:
                payload, header = verify_jws(case["token"], keyset)
                results[case["name"]] = {"payload": payload, "header": header}
        except Exception as error:  # report every failure as data; the test decides
            results[case["name"]] = {"error": "%s: %s" % (type(error).__name__, error)}
    json.dump({"jwcrypto": version("jwcrypto"), "results": results}, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: jwcrypto_verify.py JOB.json")
    main(sys.argv[1])
