#!/usr/bin/env python3
"""Signs HTTP requests offline with botocore's SigV4 signers and prints them as JSON.

Usage: sigv4_sign.py '<json>' where json = {"access_key", "secret_key", "region", "service",
"requests": [{"method", "url", "headers": {...}, "body": base64, "presign": bool, "expires": int}]}.
Prints a list of {"method", "url", "headers": [[name, value], ...], "body": base64}.
The signers use the current time (botocore takes datetime.utcnow()).
"""
import base64
import json
import sys

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    args = json.loads(sys.argv[1])
    credentials = Credentials(args["access_key"], args["secret_key"])
    signed = []
    for spec in args["requests"]:
        body = base64.b64decode(spec.get("body", ""))
        request = AWSRequest(method=spec["method"], url=spec["url"], data=body, headers=spec.get("headers", {}))
        if spec.get("presign"):
            SigV4QueryAuth(credentials, args["service"], args["region"], expires=spec.get("expires", 300)).add_auth(request)
        else:
            SigV4Auth(credentials, args["service"], args["region"]).add_auth(request)
        prepared = request.prepare()
        # Query signing moves a body into the query string (botocore's SigV4QueryAuth): report what is sent.
        sent = prepared.body or b""
        if isinstance(sent, str):
            sent = sent.encode("utf-8")
        signed.append({
            "method": prepared.method,
            "url": prepared.url,
            "headers": [[k, v] for k, v in prepared.headers.items()],
            "body": base64.b64encode(sent).decode("ascii"),
        })
    print(json.dumps(signed))


if __name__ == "__main__":
    main()
